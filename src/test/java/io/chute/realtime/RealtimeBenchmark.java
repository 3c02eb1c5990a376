package io.chute.realtime;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.chute.ChuteApplication;
import io.chute.support.ChuteProcess;
import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Real-time benchmarks, not tests (they assert nothing and print medians).
 *
 * <p>{@code fanout [rate] [seconds] [rounds] [users]}: two gateway nodes in this JVM on the
 * machine's RabbitMQ and PostgreSQL; {@code users} sockets on node B (the JDK's WebSocket client),
 * events published on node A at {@code rate}/s round-robin to the users' routes, for
 * {@code seconds}, {@code rounds} times. Latency runs from the moment an event was due to be
 * published (so publisher stalls count) to its receipt on the socket. Three lanes in the same
 * run: durable events ({@code Events.publish}: replay-log insert, then the bus), ephemeral ones
 * ({@code Events.signal}: the bus only), and the baseline: the same payloads published and
 * consumed over bare RabbitMQ, no Chute in the path.
 *
 * <p>{@code idle [connections]}: one gateway node in its own JVM ({@code -Xmx1g}, RabbitMQ
 * bus), {@code connections} idle sockets opened against it; heap used after a full GC, before and
 * after.
 */
public final class RealtimeBenchmark {

    private static final String SECRET = "a-shared-secret-of-at-least-thirty-two-bytes";
    private static final Pattern T = Pattern.compile("\"t\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "fanout";
        boolean quick = "1".equals(System.getenv("CHUTE_BENCH_QUICK"));
        if (mode.equals("idle")) {
            idle(arg(args, 1, quick ? 2_000 : 10_000), arg(args, 2, 16));
        } else {
            fanout(arg(args, 1, 2000), arg(args, 2, quick ? 5 : 10), arg(args, 3, quick ? 1 : 3), arg(args, 4, 100));
        }
        System.exit(0);
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    // --- fan-out across two nodes

    private static void fanout(int rate, int seconds, int rounds, int userCount) throws Exception {
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            Path data = Files.createTempDirectory("chute-bench-rt-");
            ConfigurableApplicationContext a = node(database, broker, data, "bench-a");
            ConfigurableApplicationContext b = node(database, broker, data, "bench-b");
            Events events = a.getBean(Events.class);
            URI baseB = URI.create("http://localhost:"
                    + ((WebServerApplicationContext) b).getWebServer().getPort());

            List<UUID> users = new ArrayList<>();
            Recorder recorder = new Recorder();
            List<WebSocket> sockets = new ArrayList<>();
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < userCount; i++) {
                // a token must name a user that exists
                UUID user = database.insertUser();
                users.add(user);
                sockets.add(connect(http, baseB, token(user), recorder));
            }
            Thread.sleep(500);

            Map<String, List<double[]>> results = new HashMap<>();
            try (Connection conn = broker.broker().connect("bench-baseline", false)) {
                Baseline baseline = new Baseline(conn, recorder);
                for (int round = 0; round <= rounds; round++) {
                    double[] durable = run(
                            rate,
                            seconds,
                            recorder,
                            (due, k) -> events.publish(
                                    Route.user(users.get((int) (k % users.size()))),
                                    "bench",
                                    Map.of("t", due, "k", k)));
                    double[] ephemeral = run(
                            rate,
                            seconds,
                            recorder,
                            (due, k) -> events.signal(
                                    Route.user(users.get((int) (k % users.size()))),
                                    "bench",
                                    Map.of("t", due, "k", k),
                                    null));
                    double[] bare = run(rate, seconds, recorder, (due, k) -> baseline.publish(due, k));
                    System.out.printf(
                            "round %d: durable %s | ephemeral %s | bare RabbitMQ %s%n",
                            round, format(durable), format(ephemeral), format(bare));
                    if (round > 0) { // round 0 warms up the JIT, the pools and the broker
                        results.computeIfAbsent("durable", k -> new ArrayList<>())
                                .add(durable);
                        results.computeIfAbsent("ephemeral", k -> new ArrayList<>())
                                .add(ephemeral);
                        results.computeIfAbsent("bare", k -> new ArrayList<>()).add(bare);
                    }
                }
            }
            System.out.printf(
                    "%nfan-out across two gateway nodes, offered %d events/s for %d s to %d sockets on the other node,"
                            + " medians of %d rounds:%n",
                    rate, seconds, userCount, rounds);
            for (String lane : List.of("durable", "ephemeral", "bare")) {
                List<double[]> r = results.get(lane);
                System.out.printf(
                        "  %-9s delivered %6.0f events/s, p50 %6.2f ms, p99 %7.2f ms, max %7.2f ms%n",
                        lane, median(r, 0), median(r, 1), median(r, 2), median(r, 3));
            }
            double bareP99 = median(results.get("bare"), 2);
            for (String lane : List.of("durable", "ephemeral")) {
                io.chute.support.BenchResults.record(
                        "real-time fan-out p99 publish -> socket, " + lane + ", " + rate + " events/s to " + userCount
                                + " sockets on the other node",
                        median(results.get(lane), 2),
                        "ms",
                        "bare RabbitMQ publish -> consume p99, same run",
                        bareP99,
                        io.chute.support.BenchResults.Target.NONE);
            }
            sockets.forEach(WebSocket::abort);
            b.close();
            a.close();
        }
    }

    @FunctionalInterface
    private interface Publisher {
        void publish(long due, long k) throws Exception;
    }

    /** Offers {@code rate}/s for {@code seconds} from 8 threads; returns delivered/s, p50, p99, max (ms). */
    private static double[] run(int rate, int seconds, Recorder recorder, Publisher publisher) throws Exception {
        recorder.reset();
        long total = (long) rate * seconds;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Semaphore inFlight = new Semaphore(10_000);
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        for (long k = 0; k < total; k++) {
            long due = start + k * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 200_000) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            inFlight.acquire();
            long key = k;
            pool.execute(() -> {
                try {
                    publisher.publish(due, key);
                } catch (Exception e) {
                    System.err.println("publish failed: " + e);
                } finally {
                    inFlight.release();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (recorder.count() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        double elapsed = (recorder.lastNanos() - start) / 1e9;
        List<Long> lat = recorder.sorted();
        if (lat.isEmpty()) {
            return new double[] {0, 0, 0, 0};
        }
        return new double[] {lat.size() / elapsed, pct(lat, 0.50), pct(lat, 0.99), lat.getLast() / 1e6};
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    private static String format(double[] r) {
        return String.format("%.0f/s p50 %.2f ms p99 %.2f ms", r[0], r[1], r[2]);
    }

    private static double median(List<double[]> rows, int column) {
        List<Double> values = new ArrayList<>(rows.stream().map(r -> r[column]).toList());
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    /** Latencies of received events: now minus the {@code t} they carry. */
    private static final class Recorder implements LongConsumer {
        private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        private final AtomicLong count = new AtomicLong();
        private volatile long last;

        @Override
        public void accept(long sentNanos) {
            long now = System.nanoTime();
            latencies.add(now - sentNanos);
            count.incrementAndGet();
            last = now;
        }

        void reset() {
            latencies.clear();
            count.set(0);
        }

        long count() {
            return count.get();
        }

        long lastNanos() {
            return last;
        }

        List<Long> sorted() {
            List<Long> l = new ArrayList<>(latencies);
            Collections.sort(l);
            return l;
        }
    }

    /** The same payloads over bare RabbitMQ: one direct exchange, one exclusive queue, auto-ack. */
    private static final class Baseline {
        private final Channel publish;

        Baseline(Connection conn, Recorder recorder) throws Exception {
            Channel consume = conn.createChannel();
            consume.exchangeDeclare("bench.direct", BuiltinExchangeType.DIRECT, false, true, null);
            String q = consume.queueDeclare("", false, true, true, null).getQueue();
            consume.queueBind(q, "bench.direct", "k");
            consume.basicConsume(q, true, new DefaultConsumer(consume) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                    recorder.accept(sent(new String(body, StandardCharsets.UTF_8)));
                }
            });
            publish = conn.createChannel();
        }

        void publish(long due, long k) throws Exception {
            byte[] body = ("{\"type\":\"bench\",\"data\":{\"t\":" + due + ",\"k\":" + k + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            synchronized (publish) {
                publish.basicPublish("bench.direct", "k", null, body);
            }
        }
    }

    private static long sent(String frame) {
        Matcher m = T.matcher(frame);
        return m.find() ? Long.parseLong(m.group(1)) : System.nanoTime();
    }

    private static ConfigurableApplicationContext node(TestDatabase database, TestBroker broker, Path data, String id) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("spring.datasource.url", database.jdbcUrl());
        p.put("spring.datasource.username", database.user());
        p.put("spring.datasource.hikari.maximum-pool-size", "16");
        p.put("spring.rabbitmq.host", "127.0.0.1");
        p.put("spring.rabbitmq.virtual-host", broker.vhost());
        p.put("chute.bus.type", "rabbitmq");
        p.put("chute.roles", "api,gateway");
        p.put("chute.data-dir", data.toString());
        p.put("chute.auth.token-secret", SECRET);
        p.put("chute.realtime.node-id", id);
        p.put("chute.realtime.send-queue", "100000");
        p.put("logging.level.root", "WARN");
        return new SpringApplicationBuilder(ChuteApplication.class)
                .properties(p)
                .run();
    }

    private static String token(UUID user) {
        NimbusJwtEncoder encoder = new NimbusJwtEncoder(
                new ImmutableSecret<>(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256")));
        Instant now = Instant.now();
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer("chute")
                .subject(user.toString())
                .issuedAt(now)
                .expiresAt(now.plus(Duration.ofHours(2)))
                .claim("username", "bench")
                .claim("admin", false)
                .build();
        return encoder.encode(JwtEncoderParameters.from(
                        JwsHeader.with(MacAlgorithm.HS256).build(), claims))
                .getTokenValue();
    }

    private static WebSocket connect(HttpClient http, URI base, String token, LongConsumer onEvent) {
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "/ws?access_token=" + token);
        return http.newWebSocketBuilder()
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String frame = partial.toString();
                            partial.setLength(0);
                            if (frame.startsWith("{\"type\":\"bench\"")) {
                                onEvent.accept(sent(frame));
                            }
                        }
                        ws.request(1);
                        return null;
                    }
                })
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
    }

    // --- idle connections on one node

    private static void idle(int connections, int opening) throws Exception {
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            Path dir = Files.createTempDirectory("chute-bench-idle-");
            try (ChuteProcess node = ChuteProcess.startWithHeap(
                    dir.resolve("node.log"),
                    "1g",
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--spring.rabbitmq.host=127.0.0.1",
                    "--spring.rabbitmq.virtual-host=" + broker.vhost(),
                    "--chute.bus.type=rabbitmq",
                    "--chute.roles=api,gateway",
                    "--chute.data-dir=" + dir,
                    "--chute.auth.token-secret=" + SECRET,
                    "--chute.realtime.idle-timeout=30m",
                    "--logging.level.root=WARN")) {
                long before = heapAfterGc(node);
                HttpClient http = HttpClient.newHttpClient();
                List<WebSocket> open = Collections.synchronizedList(new ArrayList<>());
                // why: handshakes in flight at once; each registration writes presence, and a busy machine's pool
                // times out under many more
                Semaphore inFlight = new Semaphore(opening);
                List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < connections; i++) {
                    inFlight.acquire();
                    // a token must name a user that exists
                    URI uri = URI.create(node.base().toString().replaceFirst("^http", "ws") + "/ws?access_token="
                            + token(database.insertUser()));
                    pending.add(http.newWebSocketBuilder()
                            .buildAsync(uri, new WebSocket.Listener() {})
                            .orTimeout(60, TimeUnit.SECONDS)
                            .whenComplete((ws, e) -> {
                                inFlight.release();
                                if (ws != null) {
                                    open.add(ws);
                                }
                            }));
                }
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                        .exceptionally(e -> null)
                        .join();
                double handshakes = (System.nanoTime() - start) / 1e9;
                // why: a socket counts once the node has authenticated it and bound its route, after the handshake
                Pattern gaugeLine = Pattern.compile("(?m)^chute_gateway_connections\\S* (\\S+)");
                // a socket whose registration the node refused (its pool busy: 503, closed) never counts; the count is
                // read once it has settled, 10 s without change, rather than waiting for every open socket
                String gauge = "?";
                int unchanged = 0;
                for (int i = 0; i < 600 && unchanged < 20; i++) {
                    Matcher m = gaugeLine.matcher(get(node.base().resolve("/actuator/prometheus")));
                    String now = m.find() ? m.group(1) : "?";
                    unchanged = now.equals(gauge) ? unchanged + 1 : 0;
                    gauge = now;
                    if (gauge.equals(open.size() + ".0")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                double openSeconds = (System.nanoTime() - start) / 1e9;
                if (System.getProperty("histogram") != null) {
                    new ProcessBuilder("jcmd", String.valueOf(node.pid()), "GC.class_histogram")
                            .inheritIO()
                            .start()
                            .waitFor();
                }
                long after = heapAfterGc(node);
                double registered = gauge.equals("?") ? 0 : Double.parseDouble(gauge);
                double perSocketKiB = (after - before) / 1024.0 / Math.max(1, registered);
                io.chute.support.BenchResults.record(
                        "idle WebSocket heap per socket, " + connections + " sockets on one node",
                        perSocketKiB,
                        "KiB",
                        null,
                        null,
                        io.chute.support.BenchResults.Target.under("<= 32 KiB", perSocketKiB, 32.001));
                System.out.printf(
                        "%nidle WebSockets on one node (-Xmx1g, RabbitMQ bus, one user route each): %d open"
                                + " (gauge %s), handshakes done in %.1f s, all registered in %.1f s (%.0f/s); heap after full GC"
                                + " %.1f MiB before, %.1f MiB after: %.1f KiB per registered socket%n",
                        open.size(),
                        gauge,
                        handshakes,
                        openSeconds,
                        open.size() / openSeconds,
                        before / 1048576.0,
                        after / 1048576.0,
                        perSocketKiB);
                open.forEach(WebSocket::abort);
            }
        }
    }

    private static long heapAfterGc(ChuteProcess node) throws Exception {
        Process p = new ProcessBuilder("jcmd", String.valueOf(node.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        Thread.sleep(500);
        String metrics = get(node.base().resolve("/actuator/prometheus"));
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} (\\S+)")
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return (long) sum;
    }

    private static String get(URI uri) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
