package io.chute.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is typing where, as this gateway node relays it. A {@code typing:true} is relayed at most
 * once per {@code interval} per user and channel (the others are dropped: they only say "still
 * typing", which the next relayed one says again); a {@code typing:false} is relayed only after a
 * relayed {@code true}; a user who stops refreshing for {@code expiry} is stopped by
 * {@link #expire}. Plain Java, times in nanoseconds from the caller's clock.
 */
final class TypingState {

    record Key(UUID userId, UUID channelId) {}

    private record Typing(long relayedAt, long refreshedAt) {}

    private final long interval;
    private final long expiry;
    private final Map<Key, Typing> typing = new ConcurrentHashMap<>();

    TypingState(Duration interval, Duration expiry) {
        this.interval = interval.toNanos();
        this.expiry = expiry.toNanos();
    }

    /** A {@code typing:true} at {@code now}: true when it is to be relayed. */
    boolean start(Key key, long now) {
        boolean[] relay = {false};
        typing.compute(key, (k, t) -> {
            if (t == null || now - t.relayedAt() >= interval) {
                relay[0] = true;
                return new Typing(now, now);
            }
            return new Typing(t.relayedAt(), now);
        });
        return relay[0];
    }

    /** A {@code typing:false}: true when it is to be relayed (a {@code true} was, and has not expired). */
    boolean stop(Key key) {
        return typing.remove(key) != null;
    }

    /** Forgets whoever has not refreshed for the expiry; answers them, to be relayed as {@code typing:false}. */
    List<Key> expire(long now) {
        List<Key> expired = new ArrayList<>();
        typing.forEach((key, t) -> {
            if (now - t.refreshedAt() >= expiry && typing.remove(key, t)) {
                expired.add(key);
            }
        });
        return expired;
    }

    int size() {
        return typing.size();
    }
}
