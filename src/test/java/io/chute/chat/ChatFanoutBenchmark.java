package io.chute.chat;

import io.chute.support.ChuteProcess;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Message fan-out across two gateway nodes: two Chute processes (every role, RabbitMQ bus and
 * queue, one PostgreSQL), a group of {@code members} users with one socket each, half on each
 * node, and {@code senders} of them sending {@code messages} messages over their sockets at
 * {@code rate} messages/s in all. Measures the rate achieved and, for every (message, member)
 * pair, the time from the sender's {@code message.send} frame to the member's
 * {@code message.created} (one clock: every socket is in this JVM): p50, p99, max.
 *
 * <p>Not a test: it asserts nothing and prints figures. Run by {@code bench/chat-fanout.sh}.
 */
public final class ChatFanoutBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int members = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int senders = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path dir = Files.createTempDirectory("chute-fanout-");
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create();
                ChuteProcess a = ChuteProcess.start(dir.resolve("a.log"), args(database, broker, dir, "a"));
                ChuteProcess b = ChuteProcess.start(dir.resolve("b.log"), args(database, broker, dir, "b"))) {
            List<TestClient> users = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                users.add((i % 2 == 0 ? a : b).client().registerNewUser());
            }
            List<String> ids = users.stream().map(ChatRestIT::id).toList();
            String channel = (String) users.getFirst()
                    .post("/api/channels", Map.of("name", "fan-out", "memberIds", ids.subList(1, ids.size())))
                    .json()
                    .get("id");

            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> sentWall = new ConcurrentHashMap<>();
            Map<String, Long> storedAfter = new ConcurrentHashMap<>();
            long[] latencies = new long[messages * members + members * 100];
            AtomicInteger received = new AtomicInteger();
            List<WebSocket> sockets = new ArrayList<>();
            for (TestClient user : users) {
                sockets.add(connect(user, sentAt, latencies, received, sentWall, storedAfter));
            }
            System.out.printf("%d members connected, %d on each node; %d senders%n", members, members / 2, senders);

            // warm-up, not timed
            run(sockets, channel, "w-", 100, 50, senders, sentAt, sentWall);
            awaitCount(received, 100 * members, Duration.ofSeconds(120));
            received.set(0);

            long start = System.nanoTime();
            run(sockets, channel, "m-", messages, rate, senders, sentAt, sentWall);
            long sendDone = System.nanoTime();
            boolean all = awaitCount(received, messages * members, Duration.ofSeconds(300));
            long end = System.nanoTime();
            int n = Math.min(received.get(), latencies.length);
            long[] measured = Arrays.copyOf(latencies, n);
            Arrays.sort(measured);
            double sendSeconds = (sendDone - start) / 1e9;
            System.out.printf(
                    "sent %d messages in %.2f s: %.0f messages/s (target %d)%n",
                    messages, sendSeconds, messages / sendSeconds, rate);
            System.out.printf(
                    "delivered %d of %d message.created frames in %.2f s: %.0f frames/s%s%n",
                    received.get(),
                    messages * members,
                    (end - start) / 1e9,
                    received.get() / ((end - start) / 1e9),
                    all ? "" : " (INCOMPLETE)");
            System.out.printf(
                    "fan-out latency send -> message.created, %d members on 2 nodes: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    members,
                    pct(measured, 0.50),
                    pct(measured, 0.99),
                    measured.length == 0 ? 0 : measured[measured.length - 1] / 1e6);
            long[] stored = storedAfter.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("m-"))
                    .mapToLong(Map.Entry::getValue)
                    .sorted()
                    .toArray();
            System.out.printf(
                    "of which send -> stored by the chat worker (createdAt, wall clock): p50 %.1f ms, p99 %.1f ms%n",
                    pct(stored, 0.50), pct(stored, 0.99));
            for (WebSocket s : sockets) {
                s.abort();
            }
        }
    }

    private static String[] args(TestDatabase database, TestBroker broker, Path dir, String node) {
        return ChatScaleOutIT.nodeArgs(
                database,
                broker,
                dir.resolve("data"),
                "bench-" + node,
                "--chute.realtime.frames-per-second=100000",
                "--logging.level.root=WARN");
    }

    /** Sends {@code count} messages at {@code rate}/s, round robin over the first {@code senders} sockets. */
    private static void run(
            List<WebSocket> sockets,
            String channel,
            String prefix,
            int count,
            int rate,
            int senders,
            Map<String, Long> sentAt,
            Map<String, Long> sentWall) {
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
                    "data",
                    Map.of("channelId", channel, "content", "message " + i, "clientMessageId", id)));
            WebSocket sender = sockets.get(i % senders);
            sentAt.put(id, System.nanoTime());
            java.time.Instant now = java.time.Instant.now();
            sentWall.put(id, now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
            synchronized (sender) {
                sender.sendText(frame, true).join();
            }
        }
    }

    private static WebSocket connect(
            TestClient user,
            Map<String, Long> sentAt,
            long[] latencies,
            AtomicInteger received,
            Map<String, Long> sentWall,
            Map<String, Long> storedAfter) {
        URI uri = URI.create(user.base()
                .resolve("/ws?access_token=" + user.token())
                .toString()
                .replaceFirst("^http", "ws"));
        return HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        long now = System.nanoTime();
                        partial.append(data);
                        if (last) {
                            String text = partial.toString();
                            partial.setLength(0);
                            if (text.contains("\"message.created\"")) {
                                JsonNode frame = JSON.readTree(text);
                                String id = frame.path("data")
                                        .path("clientMessageId")
                                        .asString();
                                Long sent = sentAt.get(id);
                                Long wall = sentWall.get(id);
                                if (wall != null && !storedAfter.containsKey(id)) {
                                    java.time.Instant created = java.time.Instant.parse(
                                            frame.path("data").path("createdAt").asString());
                                    long micros = created.getEpochSecond() * 1_000_000 + created.getNano() / 1000;
                                    storedAfter.put(id, (micros - wall) * 1000);
                                }
                                int slot = received.getAndIncrement();
                                if (sent != null && slot < latencies.length) {
                                    latencies[slot] = now - sent;
                                }
                            }
                        }
                        socket.request(1);
                        return null;
                    }
                })
                .orTimeout(20, TimeUnit.SECONDS)
                .join();
    }

    private static boolean awaitCount(AtomicInteger counter, int target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.get() < target && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        return counter.get() >= target;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
