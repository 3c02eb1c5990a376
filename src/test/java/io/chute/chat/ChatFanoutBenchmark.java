package io.chute.chat;

import io.chute.support.BenchResults;
import io.chute.support.ChuteProcess;
import io.chute.support.JitWarmup;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Message fan-out across two gateway nodes: two Chute processes (every role, RabbitMQ bus and
 * queue, one PostgreSQL), a group of {@code members} users with one socket each, half on each
 * node, and {@code senders} of them sending {@code messages} messages over their sockets at
 * {@code rate} messages/s in all. Measures the rate achieved and, for every (message, member)
 * pair, the time from the sender's {@code message.send} frame to the member's first
 * {@code message.created} for it (one clock: every socket is in this JVM): p50, p99, max.
 *
 * <p>The clients behave as the web client does: each keeps the highest {@code seq} it saw and,
 * when its socket is closed (4429 when it fell too far behind, any other code), reconnects with
 * {@code ?since=} it; a sender sends again, with the same {@code clientMessageId}, every message
 * not acked before the close. At the end every member's distinct messages are counted against
 * the messages stored in PostgreSQL: nothing may be missing, however far past its throughput the
 * system was driven.
 *
 * <p>Run once with {@code chute.bus.worker-lanes=lanes} and, first, in the same run with
 * {@code baselineLanes} (1: one consumer of the incoming lane, as before lanes; 0 skips it).
 * With {@code CHUTE_BENCH_JFR} naming a directory, each Chute node records a JFR profile there.
 *
 * <p>Not a test: it asserts nothing and prints figures. Run by {@code bench/chat-fanout.sh}.
 */
public final class ChatFanoutBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Figures(
            int lanes,
            double sentPerSecond,
            double framesPerSecond,
            double p50,
            double p99,
            double max,
            double storedP50,
            double storedP99,
            long stored,
            long missing,
            long duplicates,
            Map<Integer, Integer> closes) {}

    public static void main(String[] args) throws Exception {
        boolean quick = "1".equals(System.getenv("CHUTE_BENCH_QUICK"));
        int messages = arg(args, 0, quick ? 500 : 2000);
        int rate = arg(args, 1, 100);
        int members = arg(args, 2, 50);
        int senders = arg(args, 3, 4);
        int lanes = arg(args, 4, 4);
        int baselineLanes = arg(args, 5, quick ? 0 : 1);
        Figures baseline = baselineLanes > 0 && baselineLanes != lanes
                ? run(messages, rate, members, senders, baselineLanes)
                : null;
        Figures now = run(messages, rate, members, senders, lanes);
        System.out.printf(
                "%n== summary, offered %d messages/s to %d members (%d frames/s)%n", rate, members, rate * members);
        for (Figures f : baseline == null ? List.of(now) : List.of(baseline, now)) {
            System.out.printf(
                    "lanes %d: %.0f frames/s delivered, send -> message.created p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                            + " send -> stored p50 %.1f ms, p99 %.1f ms; %d stored, %d missing, %d duplicates"
                            + " (dropped by replay's overlap), closes %s%n",
                    f.lanes(),
                    f.framesPerSecond(),
                    f.p50(),
                    f.p99(),
                    f.max(),
                    f.storedP50(),
                    f.storedP99(),
                    f.stored(),
                    f.missing(),
                    f.duplicates(),
                    f.closes());
        }
        String size = String.format("%d messages/s to %d members on 2 nodes", rate, members);
        String base = baseline == null ? null : "same run, chute.bus.worker-lanes=" + baseline.lanes();
        BenchResults.record(
                "chat fan-out p99 send -> message.created, " + size,
                now.p99(),
                "ms",
                base,
                baseline == null ? null : baseline.p99(),
                BenchResults.Target.under("p99 < 50 ms", now.p99(), 50));
        BenchResults.record(
                "chat fan-out frames delivered, " + size,
                now.framesPerSecond(),
                "frames/s",
                base,
                baseline == null ? null : baseline.framesPerSecond(),
                BenchResults.Target.atLeast(
                        "offered " + rate * members + " frames/s", now.framesPerSecond(), rate * members * 0.95));
        BenchResults.record(
                "chat fan-out frames missing (stored messages x members - distinct delivered), " + size,
                now.missing(),
                "frames",
                base,
                baseline == null ? null : (double) baseline.missing(),
                new BenchResults.Target("0", now.missing() == 0));
        System.exit(0);
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static Figures run(int messages, int rate, int members, int senders, int lanes) throws Exception {
        System.out.printf("%n== chute.bus.worker-lanes=%d%n", lanes);
        Path dir = Files.createTempDirectory("chute-fanout-");
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create();
                ChuteProcess a = node(database, broker, dir, "a", lanes);
                ChuteProcess b = node(database, broker, dir, "b", lanes)) {
            List<TestClient> users = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                users.add((i % 2 == 0 ? a : b).client().registerNewUser());
            }
            List<String> ids = users.stream().map(ChatRestIT::id).toList();
            String channel = (String) users.getFirst()
                    .post("/api/channels", Map.of("name", "fan-out", "memberIds", ids.subList(1, ids.size())))
                    .json()
                    .get("id");

            Clock clock = new Clock(messages * members + members * 100);
            HttpClient http = HttpClient.newHttpClient();
            List<Member> sockets = new ArrayList<>();
            for (TestClient user : users) {
                Member m = new Member(user, http, clock);
                m.connect();
                sockets.add(m);
            }
            System.out.printf("%d members connected, %d on each node; %d senders%n", members, members / 2, senders);

            // warm-up, not timed: rounds of 200 messages at the measured rate until both nodes' JIT has settled
            JitWarmup.of(a.pid(), b.pid()).run(2, JitWarmup.limit(), round -> {
                String prefix = "w" + round + "-";
                send(sockets, channel, prefix, 200, rate, senders, clock);
                awaitAll(sockets, prefix, 200, Duration.ofSeconds(120));
                clock.reset();
            });

            long start = System.nanoTime();
            send(sockets, channel, "m-", messages, rate, senders, clock);
            long sendDone = System.nanoTime();
            // every message sent is stored (acked sends are, unacked ones are sent again on reconnect)
            long stored = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            boolean complete = false;
            while (System.nanoTime() < deadline) {
                stored = storedCount(database, channel);
                long storedNow = stored;
                complete = stored == messages && sockets.stream().allMatch(m -> m.distinct("m-") >= storedNow);
                if (complete) {
                    break;
                }
                LockSupport.parkNanos(200_000_000);
            }
            long end = clock.lastReceipt() > 0 ? clock.lastReceipt() : System.nanoTime();
            long distinct = sockets.stream().mapToLong(m -> m.distinct("m-")).sum();
            long missing = stored * members - distinct;
            long[] measured = clock.latencies();
            double sendSeconds = (sendDone - start) / 1e9;
            System.out.printf(
                    "sent %d messages in %.2f s: %.0f messages/s (target %d)%n",
                    messages, sendSeconds, messages / sendSeconds, rate);
            System.out.printf(
                    "stored %d of %d; delivered %d distinct message.created frames of %d (stored x members) in %.2f s:"
                            + " %.0f frames/s; missing %d%s%n",
                    stored,
                    messages,
                    distinct,
                    stored * members,
                    (end - start) / 1e9,
                    distinct / ((end - start) / 1e9),
                    missing,
                    complete ? "" : " (INCOMPLETE after 300 s)");
            Map<Integer, Integer> closes = new TreeMap<>();
            sockets.forEach(m -> m.closes.forEach((code, n) -> closes.merge(code, n.get(), Integer::sum)));
            long duplicates =
                    sockets.stream().mapToLong(m -> m.duplicates.get()).sum();
            System.out.printf(
                    "sockets closed by the server, by code: %s; reconnected with since: %d; duplicate frames: %d%n",
                    closes, sockets.stream().mapToLong(m -> m.reconnects.get()).sum(), duplicates);
            System.out.printf(
                    "fan-out latency send -> message.created, %d members on 2 nodes: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    members, pct(measured, 0.50), pct(measured, 0.99), pct(measured, 1.0));
            long[] storedAfter = clock.storedAfter();
            System.out.printf(
                    "of which send -> stored by the chat worker (createdAt, wall clock): p50 %.1f ms, p99 %.1f ms%n",
                    pct(storedAfter, 0.50), pct(storedAfter, 0.99));
            sockets.forEach(Member::stop);
            return new Figures(
                    lanes,
                    messages / sendSeconds,
                    distinct / ((end - start) / 1e9),
                    pct(measured, 0.50),
                    pct(measured, 0.99),
                    pct(measured, 1.0),
                    pct(storedAfter, 0.50),
                    pct(storedAfter, 0.99),
                    stored,
                    missing,
                    duplicates,
                    closes);
        }
    }

    private static ChuteProcess node(TestDatabase database, TestBroker broker, Path dir, String node, int lanes) {
        String[] args = ChatScaleOutIT.nodeArgs(
                database,
                broker,
                dir.resolve("data"),
                "bench-" + node,
                "--chute.realtime.frames-per-second=100000",
                "--chute.bus.worker-lanes=" + lanes,
                "--logging.level.root=WARN");
        String jfr = System.getenv("CHUTE_BENCH_JFR");
        if (jfr == null || jfr.isBlank()) {
            return ChuteProcess.start(dir.resolve(node + ".log"), args);
        }
        String recording = Path.of(jfr, "chat-fanout-lanes" + lanes + "-node-" + node + ".jfr")
                .toAbsolutePath()
                .toString();
        return ChuteProcess.startWithJvmOptions(
                dir.resolve(node + ".log"),
                "512m",
                List.of("-XX:StartFlightRecording=settings=profile,filename=" + recording),
                args);
    }

    private static long storedCount(TestDatabase database, String channel) throws Exception {
        try (var c = database.dataSource().getConnection();
                var s = c.prepareStatement(
                        "select count(*) from messages where channel_id = cast(? as uuid) and client_message_id like 'm-%'")) {
            s.setString(1, channel);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Sends {@code count} messages at {@code rate}/s, round robin over the first {@code senders} members. */
    private static void send(
            List<Member> members, String channel, String prefix, int count, int rate, int senders, Clock clock) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            next += interval;
            String id = prefix + i;
            String frame = JSON.writeValueAsString(Map.of(
                    "type",
                    "message.send",
                    "id",
                    id,
                    "data",
                    Map.of("channelId", channel, "content", "message " + i, "clientMessageId", id)));
            clock.sent(id);
            members.get(i % senders).send(id, frame);
        }
    }

    private static void awaitAll(List<Member> members, String prefix, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !members.stream().allMatch(m -> m.distinct(prefix) >= count)) {
            LockSupport.parkNanos(10_000_000);
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
    }

    /** When each message was sent, and the latencies of first receipts. */
    private static final class Clock {
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final Map<String, Long> sentWall = new ConcurrentHashMap<>();
        private final Map<String, Long> storedAfter = new ConcurrentHashMap<>();
        private final long[] latencies;
        private final AtomicInteger slots = new AtomicInteger();
        private final AtomicLong last = new AtomicLong();

        Clock(int capacity) {
            this.latencies = new long[capacity];
        }

        void sent(String id) {
            sentAt.put(id, System.nanoTime());
            java.time.Instant now = java.time.Instant.now();
            sentWall.put(id, now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
        }

        /** A member's first receipt of message {@code id}. */
        void received(String id, long now, JsonNode data) {
            Long sent = sentAt.get(id);
            Long wall = sentWall.get(id);
            if (wall != null && !storedAfter.containsKey(id)) {
                java.time.Instant created =
                        java.time.Instant.parse(data.path("createdAt").asString());
                long micros = created.getEpochSecond() * 1_000_000 + created.getNano() / 1000;
                storedAfter.put(id, (micros - wall) * 1000);
            }
            int slot = slots.getAndIncrement();
            if (sent != null && slot < latencies.length) {
                latencies[slot] = now - sent;
            }
            last.accumulateAndGet(now, Math::max);
        }

        void reset() {
            slots.set(0);
            last.set(0);
        }

        long lastReceipt() {
            return last.get();
        }

        long[] latencies() {
            long[] l = Arrays.copyOf(latencies, Math.min(slots.get(), latencies.length));
            Arrays.sort(l);
            return l;
        }

        long[] storedAfter() {
            return storedAfter.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("m-"))
                    .mapToLong(Map.Entry::getValue)
                    .sorted()
                    .toArray();
        }
    }

    /**
     * A member's socket, as the web client keeps it: the highest seq seen, a reconnect with
     * {@code ?since=} it when the server closes the socket, and the sends not acked yet sent again
     * (the same clientMessageId: stored once).
     */
    private static final class Member {
        private final TestClient user;
        private final HttpClient http;
        private final Clock clock;
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final Map<String, String> unacked = new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
        private final AtomicInteger reconnects = new AtomicInteger();
        private final AtomicInteger duplicates = new AtomicInteger();
        private final AtomicLong lastSeq = new AtomicLong(-1);
        private volatile WebSocket socket;
        private volatile boolean stopped;

        Member(TestClient user, HttpClient http, Clock clock) {
            this.user = user;
            this.http = http;
            this.clock = clock;
        }

        long distinct(String prefix) {
            return seen.stream().filter(id -> id.startsWith(prefix)).count();
        }

        void connect() {
            long since = lastSeq.get();
            URI uri = URI.create(user.base()
                    .resolve("/ws?access_token=" + user.token() + (since >= 0 ? "&since=" + since : ""))
                    .toString()
                    .replaceFirst("^http", "ws"));
            socket = http.newWebSocketBuilder()
                    .buildAsync(uri, new Listener())
                    .orTimeout(30, TimeUnit.SECONDS)
                    .join();
        }

        /** Sends now if the socket is open; a send that fails or is not acked before a close is sent again after it. */
        void send(String id, String frame) {
            unacked.put(id, frame);
            WebSocket s = socket;
            synchronized (this) {
                try {
                    s.sendText(frame, true).join();
                } catch (RuntimeException closed) {
                    // sent again once reconnected
                }
            }
        }

        void stop() {
            stopped = true;
            socket.abort();
        }

        private void reconnect(int code) {
            closes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            if (stopped) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                for (int attempt = 0; !stopped; attempt++) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(2000, 100L << Math.min(attempt, 4))));
                    try {
                        connect();
                        reconnects.incrementAndGet();
                        unacked.forEach(this::send);
                        return;
                    } catch (RuntimeException e) {
                        // the node is busy: try again
                    }
                }
            });
        }

        private final class Listener implements WebSocket.Listener {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                long now = System.nanoTime();
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    frame(text, now);
                }
                ws.request(1);
                return null;
            }

            private void frame(String text, long now) {
                JsonNode frame = JSON.readTree(text);
                String type = frame.path("type").asString();
                if (frame.path("seq").isNumber()) {
                    lastSeq.accumulateAndGet(frame.path("seq").asLong(), Math::max);
                }
                switch (type) {
                    // a resumed socket keeps its own seq, as the web client does
                    case "ready" ->
                        lastSeq.compareAndSet(
                                -1, frame.path("data").path("latestSeq").asLong());
                    case "ack" -> unacked.remove(frame.path("id").asString());
                    case "message.created" -> {
                        String id = frame.path("data").path("clientMessageId").asString();
                        if (seen.add(id)) {
                            clock.received(id, now, frame.path("data"));
                        } else {
                            duplicates.incrementAndGet();
                        }
                    }
                    default -> {}
                }
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                if (ws == socket) {
                    reconnect(statusCode);
                }
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                if (ws == socket) {
                    reconnect(-1);
                }
            }
        }
    }
}
