package io.chute.auth;

import io.chute.config.ConditionalOnRole;
import static io.chute.common.InvalidInputException.require;
import static io.chute.common.InvalidInputException.requireText;

import io.chute.common.ApiException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Finding people, and changing one's own profile. */
@RestController
@ConditionalOnRole("api")
class UserController {

    static final int MAX_RESULTS = 20;

    private final Users users;

    UserController(Users users) {
        this.users = users;
    }

    record UserList(List<User> items) {}

    record ProfileChange(String displayName) {
        ProfileChange {
            displayName = requireText(displayName, "displayName", 64);
        }
    }

    /** Users whose username or display name starts with {@code query} (case-insensitive), at most 20. */
    @GetMapping("/api/users")
    UserList search(@RequestParam(required = false) String query) {
        String prefix = requireText(query, "query", 64);
        require(!prefix.isEmpty(), "query is required");
        return new UserList(users.search(prefix, MAX_RESULTS));
    }

    @PatchMapping("/api/me")
    User update(@RequestBody ProfileChange body, CurrentUser caller) {
        return users.rename(caller.id(), body.displayName())
                .orElseThrow(() -> ApiException.unauthorized("This account no longer exists"));
    }
}
