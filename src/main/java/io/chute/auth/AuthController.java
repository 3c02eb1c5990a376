package io.chute.auth;

import static io.chute.common.InvalidInputException.require;
import static io.chute.common.InvalidInputException.requireText;

import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.ratelimit.RateLimits;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@ConditionalOnRole("api")
class AuthController {

    /** A hash of a random password, checked when the username is unknown so timing does not reveal it. */
    private final String decoyHash;

    private final Users users;
    private final Tokens tokens;
    private final PasswordEncoder passwords;
    private final TransactionTemplate tx;
    private final ChuteProperties properties;
    private final RateLimits limits;

    AuthController(
            Users users,
            Tokens tokens,
            PasswordEncoder passwords,
            TransactionTemplate tx,
            ChuteProperties properties,
            RateLimits limits) {
        this.limits = limits;
        this.users = users;
        this.tokens = tokens;
        this.passwords = passwords;
        this.tx = tx;
        this.properties = properties;
        this.decoyHash = passwords.encode(java.util.UUID.randomUUID().toString());
    }

    record Registration(String username, String password, String displayName) {
        Registration {
            username = requireText(username, "username", 32);
            require(username.matches("[A-Za-z0-9_.-]{3,32}"), "username must be 3-32 letters, digits, '_', '.' or '-'");
            require(
                    password != null && password.codePointCount(0, password.length()) >= 8,
                    "password must be at least 8 characters");
            // why: BCrypt ignores bytes past 72, so a longer password would silently be truncated
            require(
                    password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 72,
                    "password must be at most 72 bytes");
            displayName = displayName == null || displayName.isBlank()
                    ? username
                    : requireText(displayName, "displayName", 64);
            InvalidInputException.requireNoFormatting(displayName, "displayName");
        }
    }

    record Credentials(String username, String password) {
        Credentials {
            username = requireText(username, "username", 64);
            require(password != null && !password.isEmpty(), "password is required");
        }
    }

    record Session(String token, User user) {}

    @PostMapping("/api/auth/register")
    @ResponseStatus(HttpStatus.CREATED)
    Session register(@RequestBody Registration body, HttpServletRequest request) {
        limits.consume(RateLimits.Limit.REGISTER_ADDRESS, request.getRemoteAddr());
        String hash = passwords.encode(body.password());
        boolean named = properties.adminUsers().stream().anyMatch(body.username()::equalsIgnoreCase);
        try {
            User user = tx.execute(s -> {
                if (users.usernameTaken(body.username())) {
                    throw ApiException.conflict("That username is taken");
                }
                return users.insert(body.username(), hash, body.displayName(), named);
            });
            return new Session(tokens.issue(user), user);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("That username is taken");
        }
    }

    /**
     * Failed attempts are limited per username and per client address: every attempt takes from both buckets
     * first (so the limit holds however attempts race across nodes) and a successful one gives it back.
     */
    @PostMapping("/api/auth/login")
    Session login(@RequestBody Credentials body, HttpServletRequest request) {
        limits.consume(RateLimits.Limit.LOGIN_ADDRESS, request.getRemoteAddr());
        try {
            limits.consume(RateLimits.Limit.LOGIN_USERNAME, body.username());
        } catch (RateLimits.RateLimitedException e) {
            limits.refund(RateLimits.Limit.LOGIN_ADDRESS, request.getRemoteAddr());
            throw e;
        }
        var stored = users.findByUsername(body.username());
        boolean valid = passwords.matches(
                body.password(), stored.map(Users.StoredUser::passwordHash).orElse(decoyHash));
        if (stored.isEmpty() || !valid) {
            throw ApiException.unauthorized("Wrong username or password");
        }
        limits.refund(RateLimits.Limit.LOGIN_USERNAME, body.username());
        limits.refund(RateLimits.Limit.LOGIN_ADDRESS, request.getRemoteAddr());
        User user = stored.get().user();
        return new Session(tokens.issue(user), user);
    }
}
