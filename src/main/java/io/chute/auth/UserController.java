package io.chute.auth;

import static io.chute.common.InvalidInputException.require;
import static io.chute.common.InvalidInputException.requireNoFormatting;
import static io.chute.common.InvalidInputException.requireText;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chute.common.ApiException;
import io.chute.common.StorageUsage;
import io.chute.config.ConditionalOnRole;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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
    private final StorageUsage storage;

    UserController(Users users, StorageUsage storage) {
        this.users = users;
        this.storage = storage;
    }

    /** The caller's account: the user, plus what their files take and their quota (null: none). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Me(
            UUID id,
            String username,
            String displayName,
            boolean admin,
            Instant createdAt,
            StorageUsage.Usage usage,
            StorageUsage.Quota quota) {}

    @GetMapping("/api/me")
    Me me(CurrentUser caller) {
        User user =
                users.find(caller.id()).orElseThrow(() -> ApiException.unauthorized("This account no longer exists"));
        StorageUsage.Account account = storage.of(user.id());
        return new Me(
                user.id(),
                user.username(),
                user.displayName(),
                user.admin(),
                user.createdAt(),
                account.usage(),
                account.quota());
    }

    record UserList(List<User> items) {}

    record ProfileChange(String displayName) {
        ProfileChange {
            displayName = requireText(displayName, "displayName", 64);
            requireNoFormatting(displayName, "displayName");
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
