package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

import io.chute.common.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventBus} adapter does, as its Javadoc states it: routing by bound route, order, no history,
 * bindings that are not counted, and commands that are handled at least once and retried when their handler fails.
 * Each subclass supplies its adapter.
 *
 * <p>An event that must not arrive is checked without waiting for time to pass: a marker is published after it, on a
 * bound route, from the same thread; once the marker is in, anything published before it would be in too.
 */
abstract class EventBusContract {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final List<EventBus> opened = new ArrayList<>();
    /** A kind of command of this test alone (a broker's queue may still hold commands of an earlier test). */
    private final String kind = "test-" + UUID.randomUUID();

    EventBus bus;
    Received received;

    /** A bus of a new node, not started. */
    protected abstract EventBus newBus();

    @BeforeEach
    void startBus() {
        received = new Received();
        bus = open(received);
    }

    @AfterEach
    void closeBuses() {
        opened.forEach(EventBus::close);
    }

    // --- events

    @Test
    void deliversAnEventToTheNodeThatBoundItsUserRoute() {
        Route alice = Route.user(UUID.randomUUID());
        bus.bind(alice);
        BusEvent event = new BusEvent(alice, "message.created", 42L, "{\"id\":1}", UUID.randomUUID());

        bus.publish(event);

        await().atMost(PATIENCE).until(() -> received.events().size() == 1);
        assertThat(received.events()).containsExactly(event);
    }

    @Test
    void deliversAnEventToTheNodeThatBoundItsChannelRoute() {
        Route channel = Route.channel(UUID.randomUUID());
        bus.bind(channel);
        BusEvent typing = new BusEvent(channel, "typing", null, "{}", null);

        bus.publish(typing);

        await().atMost(PATIENCE).until(() -> received.events().size() == 1);
        assertThat(received.events()).containsExactly(typing);
    }

    @Test
    void keepsTheUserAndTheChannelOfOneIdApart() {
        UUID id = UUID.randomUUID();
        bus.bind(Route.channel(id));

        bus.publish(event(Route.user(id), "for-the-user"));
        BusEvent marker = publishMarker(Route.channel(id));

        assertThat(received.untilMarker(marker)).extracting(BusEvent::type).containsExactly(marker.type());
    }

    @Test
    void dropsAnEventForARouteNoOneBoundAndBindingLaterDoesNotBringItBack() {
        Route route = Route.user(UUID.randomUUID());
        bus.publish(event(route, "before-bind"));

        bus.bind(route);
        BusEvent marker = publishMarker(route);

        assertThat(received.untilMarker(marker)).extracting(BusEvent::type).containsExactly(marker.type());
    }

    @Test
    void stopsDeliveringARouteOnceUnbound() {
        Route route = Route.channel(UUID.randomUUID());
        Route other = Route.user(UUID.randomUUID());
        bus.bind(route);
        bus.bind(other);
        bus.publish(event(route, "while-bound"));
        await().atMost(PATIENCE).until(() -> received.events().size() == 1);

        bus.unbind(route);
        bus.publish(event(route, "after-unbind"));
        BusEvent marker = publishMarker(other);

        assertThat(received.untilMarker(marker))
                .extracting(BusEvent::type)
                .containsExactly("while-bound", marker.type());
    }

    @Test
    void bindingIsIdempotentNotCounted() {
        Route route = Route.user(UUID.randomUUID());
        Route other = Route.user(UUID.randomUUID());
        bus.bind(other);
        bus.bind(route);
        bus.bind(route);

        bus.unbind(route);
        bus.publish(event(route, "after-one-unbind"));
        BusEvent marker = publishMarker(other);

        assertThat(received.untilMarker(marker)).extracting(BusEvent::type).containsExactly(marker.type());
    }

    @Test
    void unbindingARouteNeverBoundIsHarmless() {
        Route route = Route.channel(UUID.randomUUID());

        assertThatNoException().isThrownBy(() -> bus.unbind(route));
        bus.bind(route);
        BusEvent marker = publishMarker(route);
        assertThat(received.untilMarker(marker)).containsExactly(marker);
    }

    @Test
    void keepsPublicationOrderOnEachRouteAndAcrossRoutes() {
        Route user = Route.user(UUID.randomUUID());
        Route channel = Route.channel(UUID.randomUUID());
        bus.bind(user);
        bus.bind(channel);
        List<BusEvent> published = new ArrayList<>();

        for (int i = 0; i < 300; i++) {
            BusEvent event = new BusEvent(i % 3 == 0 ? user : channel, "n", (long) i, "{\"n\":" + i + "}", null);
            bus.publish(event);
            published.add(event);
        }

        await().atMost(PATIENCE).until(() -> received.events().size() == published.size());
        assertThat(received.events()).containsExactlyElementsOf(published);
    }

    @Test
    void aReceiverThatThrowsLosesOnlyThatEvent() {
        Route route = Route.user(UUID.randomUUID());
        bus.bind(route);

        bus.publish(event(route, Received.THROWS));
        BusEvent marker = publishMarker(route);

        assertThat(received.untilMarker(marker)).containsExactly(marker);
    }

    // --- commands

    @Test
    void aSubmittedCommandIsHandledOnceTheFutureCompletes() {
        Commands commands = consume(Map.of());

        bus.submit(kind, "sender", "{\"n\":1}").join();

        await().atMost(PATIENCE).until(() -> commands.handled().size() == 1);
        assertThat(commands.handled()).containsExactly(new Incoming(kind, "{\"n\":1}"));
    }

    @Test
    void handlesCommandsOfOneOrderKeyInSubmissionOrder() {
        Commands commands = consume(Map.of());
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        List<Incoming> expected = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            String json = "{\"n\":" + i + "}";
            submitted.add(bus.submit(kind, "sender", json));
            expected.add(new Incoming(kind, json));
        }
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).join();

        await().atMost(PATIENCE).until(() -> commands.handled().size() == expected.size());
        assertThat(commands.handled()).containsExactlyElementsOf(expected);
    }

    @Test
    void aCommandWhoseHandlerFailsIsDeliveredAgainAndTheSubmitterIsNotTold() {
        Commands commands = consume(Map.of("{\"n\":\"flaky\"}", 2));

        CompletableFuture<Void> flaky = bus.submit(kind, "sender", "{\"n\":\"flaky\"}");
        CompletableFuture<Void> next = bus.submit(kind, "sender", "{\"n\":\"next\"}");

        assertThat(flaky).succeedsWithin(PATIENCE);
        assertThat(next).succeedsWithin(PATIENCE);
        await().atMost(PATIENCE).until(() -> commands.handled().size() == 2);
        assertThat(commands.handled())
                .containsExactlyInAnyOrder(
                        new Incoming(kind, "{\"n\":\"flaky\"}"), new Incoming(kind, "{\"n\":\"next\"}"));
        assertThat(commands.failures("{\"n\":\"flaky\"}")).isEqualTo(2);
    }

    // --- fixtures

    /** The kind of this test's commands. */
    String kind() {
        return kind;
    }

    /** Opens a bus of a new node, started with {@code receiver}; closed after the test. */
    EventBus open(Consumer<BusEvent> receiver) {
        EventBus opening = newBus();
        opened.add(opening);
        opening.start(receiver);
        return opening;
    }

    static BusEvent event(Route route, String type) {
        return new BusEvent(route, type, null, "{}", null);
    }

    /** Publishes a marker on {@code route} (bound) from this thread: everything published before it is in once it is. */
    BusEvent publishMarker(Route route) {
        BusEvent marker = event(route, "marker-" + UUID.randomUUID());
        bus.publish(marker);
        return marker;
    }

    /**
     * Has {@link #bus} consume this test's commands; a command whose JSON is a key of {@code failFirst} makes its
     * handler throw that many times (alternately an {@link IllegalStateException} and an {@link ApiException}) before
     * it succeeds.
     */
    Commands consume(Map<String, Integer> failFirst) {
        Commands commands = new Commands(kind, failFirst);
        bus.consumeIncoming(commands);
        return commands;
    }

    /** A receiver that records what it gets, and throws for events of type {@link #THROWS}. */
    static final class Received implements Consumer<BusEvent> {

        static final String THROWS = "receiver-throws";
        private final List<BusEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void accept(BusEvent event) {
            if (event.type().equals(THROWS)) {
                throw new IllegalStateException("a receiver failing on purpose");
            }
            events.add(event);
        }

        List<BusEvent> events() {
            return List.copyOf(events);
        }

        /** What arrived up to and including {@code marker}, once it has. */
        List<BusEvent> untilMarker(BusEvent marker) {
            await().atMost(PATIENCE).until(() -> events.contains(marker));
            List<BusEvent> all = events();
            return all.subList(0, all.indexOf(marker) + 1);
        }
    }

    /** A dispatcher that records this test's commands in the order they were handled; see {@link #consume}. */
    static final class Commands implements EventBus.IncomingDispatcher {

        private final String kind;
        private final Map<String, Integer> failFirst;
        private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        private final List<Incoming> handled = new CopyOnWriteArrayList<>();

        Commands(String kind, Map<String, Integer> failFirst) {
            this.kind = kind;
            this.failFirst = failFirst;
        }

        @Override
        public void dispatch(List<Incoming> batch) {
            List<Incoming> ours =
                    batch.stream().filter(c -> c.kind().equals(kind)).toList();
            for (Incoming command : ours) {
                AtomicInteger failed = failures.computeIfAbsent(command.json(), json -> new AtomicInteger());
                if (failed.get() < failFirst.getOrDefault(command.json(), 0)) {
                    // as a handler's transaction would: nothing of the batch took effect
                    throw failed.incrementAndGet() % 2 == 1
                            ? new IllegalStateException("a handler failing on purpose")
                            : ApiException.conflict("a handler failing on purpose");
                }
            }
            handled.addAll(ours);
        }

        List<Incoming> handled() {
            return List.copyOf(handled);
        }

        int failures(String json) {
            return failures.getOrDefault(json, new AtomicInteger()).get();
        }
    }
}
