package io.chute.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A member's role in a channel; stored and shown in lower case ({@code owner}, {@code admin}, {@code member}). */
enum ChannelRole {
    OWNER,
    ADMIN,
    MEMBER;

    /** The value in {@code channel_members.role} and in the API. */
    @JsonValue
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ChannelRole of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Owners and admins add and remove the members of a group. */
    boolean managesMembers() {
        return this == OWNER || this == ADMIN;
    }
}
