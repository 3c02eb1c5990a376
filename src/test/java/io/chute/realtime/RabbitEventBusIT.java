package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.TestBroker;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bus across nodes against the {@link EventBusContract}, on the machine's RabbitMQ (a virtual host of its own);
 * plus what only a bus shared by several nodes does.
 */
class RabbitEventBusIT extends EventBusContract {

    @RegisterExtension
    static final TestBroker broker = TestBroker.create();

    @Override
    protected EventBus newBus() {
        return new RabbitEventBus(broker.broker(), "node-" + UUID.randomUUID());
    }

    @Test
    void anEventReachesEveryNodeThatBoundItsRouteAndNoOther() {
        Received second = new Received();
        Received third = new Received();
        EventBus secondNode = open(second);
        EventBus thirdNode = open(third);
        Route channel = Route.channel(UUID.randomUUID());
        Route elsewhere = Route.user(UUID.randomUUID());
        bus.bind(channel);
        secondNode.bind(channel);
        thirdNode.bind(elsewhere);

        BusEvent event = event(channel, "message.created");
        bus.publish(event);
        BusEvent marker = publishMarker(elsewhere);

        assertThat(received.untilMarker(event)).containsExactly(event);
        assertThat(second.untilMarker(event)).containsExactly(event);
        assertThat(third.untilMarker(marker)).containsExactly(marker);
    }

    @Test
    void aCommandSubmittedBeforeAnyWorkerConsumesIsHeldUntilOneDoes() {
        bus.submit(kind(), "sender", "{\"n\":1}").join();

        Commands commands = consume(Map.of());

        await().atMost(PATIENCE).until(() -> commands.handled().size() == 1);
        assertThat(commands.handled()).containsExactly(new Incoming(kind(), "{\"n\":1}"));
    }
}
