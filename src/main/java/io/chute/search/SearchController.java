package io.chute.search;

import io.chute.auth.CurrentUser;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/search}: messages and files in the caller's channels, newest first. */
@RestController
class SearchController {

    private final Search search;

    SearchController(Search search) {
        this.search = search;
    }

    @GetMapping("/api/search")
    Search.Page search(
            @RequestParam(required = false) String q,
            @RequestParam(required = false) UUID channelId,
            @RequestParam(required = false) String before,
            @RequestParam(defaultValue = "20") int limit,
            CurrentUser caller) {
        return search.search(caller.id(), q, channelId, SearchCursor.parse(before), limit);
    }
}
