package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.common.ApiException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** The bus of a single node against the {@link EventBusContract}, and what only it does. */
class LocalEventBusTest extends EventBusContract {

    @Override
    protected EventBus newBus() {
        return new LocalEventBus(Duration.ofMillis(50));
    }

    @Test
    void aCommandSubmittedWhereNoWorkerRunsIsRefusedWith503() {
        assertThat(bus.submit("chat.send", "sender", "{}"))
                .failsWithin(PATIENCE)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause()
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(e.properties()).containsKey("retryAfterSeconds");
                });
    }

    @Test
    void aCommandThatSucceedsHasTakenEffectWhenSubmitReturns() {
        Commands commands = consume(Map.of());

        bus.submit(kind(), "sender", "{\"n\":1}").join();

        assertThat(commands.handled()).containsExactly(new Incoming(kind(), "{\"n\":1}"));
    }

    @Test
    void dropsACommandThatFailsAsOftenAsTheDeliveryLimit() {
        Commands commands = consume(Map.of("{\"n\":\"poison\"}", Integer.MAX_VALUE, "{\"n\":\"probe\"}", 1));
        bus.submit(kind(), "sender", "{\"n\":\"poison\"}").join();
        await().atMost(PATIENCE).until(() -> commands.failures("{\"n\":\"poison\"}") == LocalEventBus.DELIVERY_LIMIT);

        // a later retry runs after any retry scheduled before it: once the probe is in, a 21st attempt would have run
        bus.submit(kind(), "sender", "{\"n\":\"probe\"}").join();
        await().atMost(PATIENCE).until(() -> commands.handled().size() == 1);

        assertThat(commands.handled()).containsExactly(new Incoming(kind(), "{\"n\":\"probe\"}"));
        assertThat(commands.failures("{\"n\":\"poison\"}")).isEqualTo(LocalEventBus.DELIVERY_LIMIT);
    }
}
