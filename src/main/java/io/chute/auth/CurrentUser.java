package io.chute.auth;

import java.util.UUID;

/** The authenticated caller of a request, taken from its bearer token. */
public record CurrentUser(UUID id, String username, boolean admin) {

    /** True when the caller may see a resource owned by {@code ownerId}. */
    public boolean canSee(UUID ownerId) {
        return admin || id.equals(ownerId);
    }
}
