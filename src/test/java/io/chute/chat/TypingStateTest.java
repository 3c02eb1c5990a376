package io.chute.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TypingStateTest {

    private static final long MS = 1_000_000;
    private final TypingState state = new TypingState(Duration.ofSeconds(1), Duration.ofSeconds(6));
    private final TypingState.Key ann = new TypingState.Key(UUID.randomUUID(), UUID.randomUUID());

    @Test
    void relaysTheFirstTypingAndDropsRepeatsWithinTheInterval() {
        assertThat(state.start(ann, 0)).isTrue();
        assertThat(state.start(ann, 300 * MS)).isFalse();
        assertThat(state.start(ann, 999 * MS)).isFalse();
        assertThat(state.start(ann, 1000 * MS)).isTrue();
    }

    @Test
    void limitsEachUserInEachChannelSeparately() {
        TypingState.Key sameUserOtherChannel = new TypingState.Key(ann.userId(), UUID.randomUUID());
        TypingState.Key otherUserSameChannel = new TypingState.Key(UUID.randomUUID(), ann.channelId());
        assertThat(state.start(ann, 0)).isTrue();
        assertThat(state.start(sameUserOtherChannel, 0)).isTrue();
        assertThat(state.start(otherUserSameChannel, 0)).isTrue();
    }

    @Test
    void relaysAStopOnlyAfterARelayedStart() {
        assertThat(state.stop(ann)).isFalse();
        state.start(ann, 0);
        assertThat(state.stop(ann)).isTrue();
        assertThat(state.stop(ann)).isFalse();
        assertThat(state.start(ann, 10 * MS))
                .as("typing again right after stopping is news")
                .isTrue();
    }

    @Test
    void expiresWhoeverStopsRefreshing() {
        state.start(ann, 0);
        state.start(ann, 4000 * MS);
        assertThat(state.expire(9999 * MS)).isEmpty();
        assertThat(state.expire(10_000 * MS)).containsExactly(ann);
        assertThat(state.size()).isZero();
        assertThat(state.stop(ann)).as("already stopped by the expiry").isFalse();
    }
}
