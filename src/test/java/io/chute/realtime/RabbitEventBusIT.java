package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.job.JobTracing;
import io.chute.support.TestBroker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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

    // --- lanes: commands spread over several queues by order key (a channel)

    private static final int LANES = 4;

    private EventBus laneBus() {
        EventBus lanes = new RabbitEventBus(broker.broker(), "node-" + UUID.randomUUID(), JobTracing.none(), LANES);
        lanesOpened.add(lanes);
        return lanes;
    }

    private final List<EventBus> lanesOpened = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeLaneBuses() {
        lanesOpened.forEach(EventBus::close);
    }

    /** Sixteen order keys (channels) and, for each, its commands 0..n-1 in submission order. */
    private Map<String, List<String>> commandsOfKeys(int keys, int each) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (int k = 0; k < keys; k++) {
            String key = "channel-" + k + "-" + UUID.randomUUID();
            List<String> jsons = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                jsons.add("{\"key\":\"" + key + "\",\"n\":" + i + "}");
            }
            byKey.put(key, jsons);
        }
        return byKey;
    }

    /** Submits command i of every key, then i + 1 of every key, ..., so that the keys' commands interleave. */
    private void submitInterleaved(EventBus via, Map<String, List<String>> byKey, int from, int to) {
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (var e : byKey.entrySet()) {
                submitted.add(via.submit(kind(), e.getKey(), e.getValue().get(i)));
            }
        }
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).join();
    }

    @Test
    void commandsAreSpreadOverLanesByOrderKeyAndEachKeyKeepsItsOrder() {
        EventBus lanes = laneBus();
        LaneRecorder recorder = new LaneRecorder(kind(), "worker");
        lanes.consumeIncoming(recorder);
        Map<String, List<String>> byKey = commandsOfKeys(16, 25);
        Set<Integer> lanesOfKeys = new java.util.TreeSet<>();
        byKey.keySet().forEach(k -> lanesOfKeys.add(RabbitEventBus.laneOf(k, LANES)));

        submitInterleaved(lanes, byKey, 0, 25);

        await().atMost(PATIENCE).until(() -> recorder.firstOccurrences().size() == 16 * 25);
        for (var e : byKey.entrySet()) {
            assertThat(recorder.firstOccurrencesOf(e.getKey()))
                    .as("order of %s", e.getKey())
                    .containsExactlyElementsOf(e.getValue());
        }
        assertThat(lanesOfKeys).as("the keys hash to several lanes").hasSizeGreaterThan(1);
        assertThat(recorder.threads())
                .as("one consumer thread per lane the keys use")
                .hasSameSizeAs(lanesOfKeys);
    }

    @Test
    void twoNodesShareTheLanesAndAWorkerThatStopsHandsThemOverInOrder() {
        EventBus nodeA = laneBus();
        EventBus nodeB = laneBus();
        LaneRecorder onA = new LaneRecorder(kind(), "a");
        LaneRecorder onB = new LaneRecorder(kind(), "b");
        nodeA.consumeIncoming(onA);
        // node B's consumers wait as the lanes' standby: each lane has a single active consumer
        nodeB.consumeIncoming(onB);
        Map<String, List<String>> byKey = commandsOfKeys(8, 40);

        submitInterleaved(nodeA, byKey, 0, 20);
        await().atMost(PATIENCE).until(() -> onA.firstOccurrences().size() == 8 * 20);
        assertThat(onB.firstOccurrences()).as("standby consumers got nothing").isEmpty();
        nodeA.close();
        submitInterleaved(nodeB, byKey, 20, 40);

        LaneRecorder both = LaneRecorder.merged(onA, onB);
        await().atMost(PATIENCE).until(() -> both.refresh().firstOccurrences().size() == 8 * 40);
        for (var e : byKey.entrySet()) {
            assertThat(both.firstOccurrencesOf(e.getKey()))
                    .as("order of %s across both nodes", e.getKey())
                    .containsExactlyElementsOf(e.getValue());
        }
        assertThat(onB.firstOccurrences()).as("node B took the lanes over").hasSizeGreaterThanOrEqualTo(8 * 20);
    }

    /** Records this test's commands in the order handled, and the threads that handled them. */
    private static final class LaneRecorder implements EventBus.IncomingDispatcher {
        private final String kind;
        private final String node;
        private final List<String> handled = new CopyOnWriteArrayList<>();
        private final Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final List<LaneRecorder> parts = new ArrayList<>();

        LaneRecorder(String kind, String node) {
            this.kind = kind;
            this.node = node;
        }

        static LaneRecorder merged(LaneRecorder first, LaneRecorder second) {
            LaneRecorder merged = new LaneRecorder(first.kind, "both");
            merged.parts.add(first);
            merged.parts.add(second);
            return merged.refresh();
        }

        /** A merged recorder: what the first node handled, then what the second did. */
        LaneRecorder refresh() {
            if (!parts.isEmpty()) {
                handled.clear();
                parts.forEach(p -> handled.addAll(p.handled));
            }
            return this;
        }

        @Override
        public void dispatch(List<Incoming> batch) {
            for (Incoming c : batch) {
                if (c.kind().equals(kind)) {
                    handled.add(c.json());
                    threads.add(node + "/" + Thread.currentThread().getName());
                }
            }
        }

        /** Each command once, where it was first handled (a command delivered again after a node stopped is later). */
        List<String> firstOccurrences() {
            return List.copyOf(new LinkedHashSet<>(handled));
        }

        List<String> firstOccurrencesOf(String key) {
            return firstOccurrences().stream()
                    .filter(json -> json.contains("\"" + key + "\""))
                    .toList();
        }

        Set<String> threads() {
            return Set.copyOf(threads);
        }
    }
}
