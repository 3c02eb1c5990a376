package io.chute.auth;

import java.time.Instant;
import java.util.UUID;

/** A registered account as the API shows it (never with its password hash). */
public record User(UUID id, String username, String displayName, boolean admin, Instant createdAt) {}
