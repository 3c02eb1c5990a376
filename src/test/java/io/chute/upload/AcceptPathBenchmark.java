package io.chute.upload;

import io.chute.support.BenchResults;
import io.chute.support.ChuteProcess;
import io.chute.support.JitWarmup;
import io.chute.support.OpenLoop;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The accept path of the signed lane, measured against its ceilings in one run:
 * <ul>
 *   <li>open loop at a fixed rate ({@link OpenLoop}: latency from each request's intended start) on {@code POST
 *       /api/uploads} (presign), {@code POST /api/uploads/{id}/complete} and {@code GET /api/jobs/{id}}, and on
 *       nginx answering a static 202 on the same machine: the ceiling of the HTTP path itself;</li>
 *   <li>saturation with {@code wrk} (64 connections) on the same three calls and nginx, and pgbench's rate of
 *       single-row insert transactions and primary-key reads on the same PostgreSQL: the database's limit.</li>
 * </ul>
 * Chute runs as the API role only (the worker tier scales apart) in its own JVM with a flight recording, whose
 * hottest methods are printed at the end. Before anything is measured, the three calls run at saturation round
 * after round until Chute's JIT compilers have settled ({@link JitWarmup}). Every request is another user's (users in rotation); each complete
 * completes another upload whose small text file was PUT beforehand. Rate limits stay on (each presign draws
 * from its user's bucket in PostgreSQL) with a capacity the run cannot exhaust; the queue limit is raised so
 * that the jobs piling up (no worker runs) are not refused.
 *
 * <p>Run with {@code bench/accept-path.sh [rate] [seconds] [saturation-seconds] [users]}. Not a test: it asserts
 * nothing and prints figures (and appends them to {@code CHUTE_BENCH_RESULTS} when set).
 */
public final class AcceptPathBenchmark {

    private static final byte[] FILE =
            "Chute accept-path benchmark file.\n".repeat(30).getBytes(StandardCharsets.UTF_8);
    private static final String PRESIGN_BODY =
            "{\"fileName\":\"notes.txt\",\"size\":" + FILE.length + ",\"contentType\":\"text/plain\"}";
    private static final int WRK_CONNECTIONS = 64;
    private static final int WRK_THREADS = 2;
    /** The JIT warm-up: each round runs each call at saturation for this long... */
    private static final int JIT_ROUND_SECONDS = 4;
    /** ...with this many fresh uploads to complete (enough for 750 completes/s)... */
    private static final int JIT_ROUND_COMPLETES = 3000;
    /** ...for at most this many rounds' worth of uploads (later rounds complete the last ones again). */
    private static final int JIT_ROUNDS_MAX = 12;

    /** A user's token and the id of one of their uploads or jobs. */
    private record Prepared(String token, String id) {}

    private AcceptPathBenchmark() {}

    /** One build's figures; latencies in ms, rates in requests/s. */
    private record Figures(
            OpenLoop.Result ceiling,
            OpenLoop.Result presign,
            OpenLoop.Result status,
            OpenLoop.Result complete,
            double presignRate,
            double statusRate,
            double completeRate,
            boolean completesExhausted,
            JitWarmup.Result jit) {

        int errors() {
            return presign.errors() + status.errors() + complete.errors();
        }
    }

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 1000;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        int saturation = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int userCount = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        // another build of Chute (its class path) measured first in the same run, to compare with: bench/accept-path.sh
        // --before REV
        String before = System.getenv("CHUTE_BENCH_BEFORE_CP");
        Path work = Path.of("target/bench/accept-path").toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        System.out.printf(
                "accept path: open loop at %.0f requests/s for %.0f s per call, saturation %d s (wrk, %d connections),"
                        + " %d users; %d cores, load average %s%n",
                rate,
                seconds,
                saturation,
                WRK_CONNECTIONS,
                userCount,
                Runtime.getRuntime().availableProcessors(),
                loadAverage());

        try (Nginx nginx = Nginx.start(work.resolve("nginx"))) {
            Figures previous = null;
            if (before != null) {
                System.out.printf("%n######## before: %s%n", System.getenv("CHUTE_BENCH_BEFORE_NAME"));
                previous = measure(work.resolve("before"), before, nginx, rate, seconds, saturation, userCount);
                System.out.printf("%n######## after: this build%n");
            }
            Figures now = measure(work.resolve("now"), null, nginx, rate, seconds, saturation, userCount);

            System.out.printf(
                    "%n== saturation of nginx and PostgreSQL's own rates (pgbench, 16 clients), %d s each%n",
                    saturation);
            double nginxRate = wrk(nginx.base().resolve("/").toString(), saturation, null);
            System.out.printf("nginx static 202 (wrk):          %,.0f requests/s%n", nginxRate);
            double inserts;
            double reads;
            try (TestDatabase database = TestDatabase.create()) {
                Pgbench pgbench = new Pgbench(database, JdbcClient.create(database.dataSource()), work);
                inserts = pgbench.inserts(saturation);
                System.out.printf("single-row insert transactions: %,.0f/s%n", inserts);
                reads = pgbench.reads(saturation);
                System.out.printf("primary-key reads:              %,.0f/s%n", reads);
            }
            if (previous != null) {
                System.out.printf("%n== before -> after, same run%n");
                compare(
                        "presign p99 (ms)",
                        previous.presign().p99(),
                        now.presign().p99());
                compare("status p99 (ms)", previous.status().p99(), now.status().p99());
                compare(
                        "complete p99 (ms)",
                        previous.complete().p99(),
                        now.complete().p99());
                compare("presign at saturation (/s)", previous.presignRate(), now.presignRate());
                compare("status at saturation (/s)", previous.statusRate(), now.statusRate());
                compare("complete at saturation (/s)", previous.completeRate(), now.completeRate());
            }
            record(now, rate, inserts, reads, nginxRate);
            if (now.errors() > 0) {
                System.out.printf(
                        "%nWARNING: %d requests failed; see %s%n", now.errors(), work.resolve("now/chute.log"));
            }
        }
        hottest(work.resolve("now/chute.jfr"), 25);
    }

    private static void compare(String what, double before, double after) {
        System.out.printf("  %-28s %10.1f -> %10.1f  (x%.2f)%n", what, before, after, after / before);
    }

    private static void record(Figures f, double rate, double inserts, double reads, double nginxRate) {
        String ceilingName = "nginx static 202, same open loop";
        BenchResults.record(
                "accept path: presign p99 at " + (int) rate + "/s, open loop",
                f.presign().p99(),
                "ms",
                ceilingName,
                f.ceiling().p99(),
                BenchResults.Target.under("< 20 ms", f.presign().p99(), 20));
        BenchResults.record(
                "accept path: complete p99 at " + (int) rate + "/s, open loop",
                f.complete().p99(),
                "ms",
                ceilingName,
                f.ceiling().p99(),
                BenchResults.Target.under("< 20 ms", f.complete().p99(), 20));
        BenchResults.record(
                "accept path: status p99 at " + (int) rate + "/s, open loop",
                f.status().p99(),
                "ms",
                ceilingName,
                f.ceiling().p99(),
                BenchResults.Target.under("< 5 ms", f.status().p99(), 5));
        BenchResults.record(
                "accept path: presign at saturation (wrk, 64 connections)",
                f.presignRate(),
                "requests/s",
                "pgbench single-row inserts, same PostgreSQL",
                inserts,
                BenchResults.Target.atLeast(">= 10,000/s", f.presignRate(), 10_000));
        BenchResults.record(
                "accept path: complete at saturation (wrk, 64 connections)"
                        + (f.completesExhausted() ? ", lower bound" : ""),
                f.completeRate(),
                "requests/s",
                "pgbench single-row inserts, same PostgreSQL",
                inserts,
                BenchResults.Target.atLeast(">= 2,000/s", f.completeRate(), 2_000));
        BenchResults.record(
                "accept path: status at saturation (wrk, 64 connections)",
                f.statusRate(),
                "requests/s",
                "pgbench primary-key reads, same PostgreSQL",
                reads,
                BenchResults.Target.atLeast(">= 20,000/s", f.statusRate(), 20_000));
        BenchResults.record(
                "accept path: JIT warm-up before measuring (" + (f.jit().settled() ? "settled" : "still compiling")
                        + ")",
                f.jit().wallMillis() / 1e3,
                "s",
                null,
                null,
                BenchResults.Target.NONE);
        BenchResults.record(
                "nginx static 202 at saturation (wrk, 64 connections)",
                nginxRate,
                "requests/s",
                null,
                null,
                BenchResults.Target.NONE);
    }

    /** One build of Chute (its class path, or this one's when null) on a fresh database: open loop, then saturation. */
    private static Figures measure(
            Path work, String classPath, Nginx nginx, double rate, double seconds, int saturation, int userCount)
            throws Exception {
        Files.createDirectories(work);
        Path jfr = work.resolve("chute.jfr");
        try (TestDatabase database = TestDatabase.create();
                ChuteProcess chute = ChuteProcess.startFrom(
                        classPath,
                        work.resolve("chute.log"),
                        "1g",
                        List.of(
                                "-XX:FlightRecorderOptions=stackdepth=256",
                                "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true"),
                        "--spring.datasource.url=" + database.jdbcUrl(),
                        "--spring.datasource.username=" + database.user(),
                        "--chute.roles=api",
                        "--chute.data-dir=" + work.resolve("data"),
                        "--chute.jobs.queue-limit=100000000",
                        "--chute.rate-limits.uploads-user.capacity=1000000000",
                        "--chute.rate-limits.register-address.capacity=1000000")) {
            URI base = URI.create("http://127.0.0.1:" + chute.base().getPort());
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            List<TestClient> users = new ArrayList<>();
            for (int i = 0; i < userCount; i++) {
                users.add(new TestClient(base).registerNewUser());
            }
            int warmCompletes = (int) Math.max(1000, rate * 2);
            int openCompletes = (int) Math.round(rate * seconds);
            // enough for 2,500 completes/s, above the target; a run that uses them all reports a lower bound
            int saturationCompletes = 2500 * saturation;
            long t0 = System.nanoTime();
            List<Prepared> uploads = prepare(
                    jdbc,
                    work.resolve("data/objects"),
                    users,
                    warmCompletes + openCompletes + saturationCompletes + JIT_ROUND_COMPLETES * JIT_ROUNDS_MAX);
            System.out.printf(
                    "prepared %,d uploads awaiting completion in %.0f s%n",
                    uploads.size(), (System.nanoTime() - t0) / 1e9);
            List<Prepared> warm = uploads.subList(0, warmCompletes);
            List<Prepared> open = uploads.subList(warmCompletes, warmCompletes + openCompletes);
            int saturationEnd = warmCompletes + openCompletes + saturationCompletes;
            List<Prepared> saturate = uploads.subList(warmCompletes + openCompletes, saturationEnd);
            List<Prepared> jitCompletes = uploads.subList(saturationEnd, uploads.size());

            Phases load = new Phases(chute);
            // warm-up (the JIT, the pools, PostgreSQL's caches), not counted; its completes give the jobs to read
            OpenLoop.Result warmUp =
                    load.run(rate / 2, warm.size() / (rate / 2), 202, i -> complete(base, warm.get(i)));
            System.out.println("warm-up completes: " + warmUp);
            List<Prepared> jobs = jobsOf(jdbc, warm);
            Path lua = Path.of("bench/wrk-rotate.lua").toAbsolutePath();
            List<String> presignScript = List.of(
                    lua.toString(),
                    lines(
                                    work.resolve("presign.lines"),
                                    users.stream()
                                            .map(u -> new Prepared(u.token(), null))
                                            .toList(),
                                    p -> "/api/uploads")
                            .toString(),
                    "POST",
                    PRESIGN_BODY,
                    "cycle");
            List<String> statusScript = List.of(
                    lua.toString(),
                    lines(work.resolve("status.lines"), jobs, p -> "/api/jobs/" + p.id())
                            .toString(),
                    "GET",
                    "",
                    "cycle");
            // then the three calls at saturation, round after round, until Chute's JIT has settled: on 2 cores the
            // compiler takes a core for the first minute of load, and what is measured before is the compiler
            JitWarmup.Result jit = JitWarmup.of(chute.pid()).run(2, JitWarmup.limit(), round -> {
                wrk(base.toString(), JIT_ROUND_SECONDS, presignScript);
                wrk(base.toString(), JIT_ROUND_SECONDS, statusScript);
                int from = Math.min(round, JIT_ROUNDS_MAX - 1) * JIT_ROUND_COMPLETES;
                List<Prepared> slice = jitCompletes.subList(from, from + JIT_ROUND_COMPLETES);
                Path completeLines =
                        lines(work.resolve("complete-warm.lines"), slice, p -> "/api/uploads/" + p.id() + "/complete");
                wrk(
                        base.toString(),
                        JIT_ROUND_SECONDS,
                        List.of(lua.toString(), completeLines.toString(), "POST", "{}", "once"));
            });
            // this JVM's open-loop client warms up too
            load.run(rate / 2, 4, 201, i -> presign(base, users.get(i % users.size())));
            load.run(rate / 2, 4, 200, i -> status(base, jobs.get(i % jobs.size())));
            load.run(rate / 2, 4, 202, i -> nginx.request());

            System.out.printf(
                    "%n== open loop, %.0f requests/s for %.0f s each; load average %s%n", rate, seconds, loadAverage());
            OpenLoop.Result ceiling = load.run(rate, seconds, 202, i -> nginx.request());
            System.out.println("nginx static 202:  " + ceiling);
            OpenLoop.Result presign = load.run(rate, seconds, 201, i -> presign(base, users.get(i % users.size())));
            System.out.println("presign:           " + presign);
            OpenLoop.Result status = load.run(rate, seconds, 200, i -> status(base, jobs.get(i % jobs.size())));
            System.out.println("status:            " + status);
            OpenLoop.Result completes = load.run(rate, seconds, 202, i -> complete(base, open.get(i)));
            System.out.println("complete:          " + completes);

            System.out.printf(
                    "%n== saturation: wrk, %d connections, %d s each; load average %s%n",
                    WRK_CONNECTIONS, saturation, loadAverage());
            Path completeLines =
                    lines(work.resolve("complete.lines"), saturate, p -> "/api/uploads/" + p.id() + "/complete");
            double presignRate = wrk(base.toString(), saturation, presignScript);
            System.out.printf("presign:           %,.0f requests/s%n", presignRate);
            double statusRate = wrk(base.toString(), saturation, statusScript);
            System.out.printf("status:            %,.0f requests/s%n", statusRate);
            long completedBefore = completedUploads(jdbc);
            double completeRate = wrk(
                    base.toString(),
                    saturation,
                    List.of(lua.toString(), completeLines.toString(), "POST", "{}", "once"));
            long completedInRun = completedUploads(jdbc) - completedBefore;
            boolean exhausted = completedInRun >= saturate.size();
            System.out.printf(
                    "complete:          %,.0f requests/s (%,d uploads completed%s)%n",
                    completeRate, completedInRun, exhausted ? ", all that were prepared: a lower bound" : "");
            return new Figures(
                    ceiling, presign, status, completes, presignRate, statusRate, completeRate, exhausted, jit);
        }
    }

    /**
     * Each open-loop phase on a client of its own, closed at its end; then, before the next phase, Chute is given
     * up to a minute to work off what an overloaded phase left queued (its health answering within a second).
     */
    private record Phases(ChuteProcess chute) {

        OpenLoop.Result run(double rate, double seconds, int expectedStatus, IntFunction<HttpRequest> requests)
                throws InterruptedException {
            OpenLoop.Result result;
            try (OpenLoop load = new OpenLoop()) {
                result = load.run(rate, seconds, expectedStatus, requests);
            }
            var http = java.net.http.HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    var health = http.send(
                            HttpRequest.newBuilder(chute.base().resolve("/actuator/health"))
                                    .timeout(Duration.ofSeconds(1))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
                    if (health.statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // why: still busy with the previous phase's queue; ask again
                }
            }
            http.shutdownNow();
            return result;
        }
    }

    /** The jobs that the completes of {@code uploads} created, each with its owner's token. */
    private static List<Prepared> jobsOf(JdbcClient jdbc, List<Prepared> uploads) {
        Map<String, String> jobOf = new HashMap<>();
        jdbc.sql("select id, job_id from uploads where job_id is not null")
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getString(2)))
                .list()
                .forEach(e -> jobOf.put(e.getKey(), e.getValue()));
        List<Prepared> jobs = uploads.stream()
                .filter(p -> jobOf.containsKey(p.id()))
                .map(p -> new Prepared(p.token(), jobOf.get(p.id())))
                .toList();
        if (jobs.isEmpty()) {
            throw new IllegalStateException("no complete of the warm-up succeeded");
        }
        return jobs;
    }

    private static HttpRequest presign(URI base, TestClient user) {
        return HttpRequest.newBuilder(base.resolve("/api/uploads"))
                .header("Authorization", "Bearer " + user.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(PRESIGN_BODY))
                .build();
    }

    private static HttpRequest complete(URI base, Prepared upload) {
        return HttpRequest.newBuilder(base.resolve("/api/uploads/" + upload.id() + "/complete"))
                .header("Authorization", "Bearer " + upload.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
    }

    private static HttpRequest status(URI base, Prepared job) {
        return HttpRequest.newBuilder(base.resolve("/api/jobs/" + job.id()))
                .header("Authorization", "Bearer " + job.token())
                .GET()
                .build();
    }

    /**
     * {@code count} uploads awaiting completion, spread over the users, as a presign followed by its PUT leaves
     * them: a row in AWAITING_UPLOAD and the file in the embedded store under the upload's key. Written straight
     * into the database and the data folder because presigning and PUTting tens of thousands of files through
     * HTTP would take minutes on a busy machine; a few of them go through HTTP to check the shortcut gives the
     * same state.
     */
    private static List<Prepared> prepare(JdbcClient jdbc, Path objects, List<TestClient> users, int count)
            throws IOException {
        List<UUID> owners = new ArrayList<>();
        for (TestClient user : users) {
            owners.add(UUID.fromString((String) user.get("/api/me").json().get("id")));
        }
        List<Prepared> prepared = new ArrayList<>();
        UUID[] ids = new UUID[count];
        UUID[] ownerIds = new UUID[count];
        for (int i = 0; i < count; i++) {
            int u = i % users.size();
            ids[i] = UUID.randomUUID();
            ownerIds[i] = owners.get(u);
            Path file = objects.resolve(Upload.objectKeyFor(ownerIds[i], ids[i]));
            Files.createDirectories(file.getParent());
            Files.write(file, FILE);
            prepared.add(new Prepared(users.get(u).token(), ids[i].toString()));
        }
        jdbc.sql("""
                insert into uploads (id, owner_id, file_name, size, content_type, object_key, state, expires_at)
                select u.id, u.owner, 'notes.txt', :size, 'text/plain', 'uploads/' || u.owner || '/' || u.id,
                       'AWAITING_UPLOAD', now() + interval '1 day'
                from unnest(cast(:ids as uuid[]), cast(:owners as uuid[])) as u(id, owner)""")
                .param("size", FILE.length)
                .param("ids", ids)
                .param("owners", ownerIds)
                .update();
        jdbc.sql("vacuum analyze uploads").update();
        // the same through HTTP, for a few: presign, PUT
        for (int i = 0; i < 20; i++) {
            TestClient user = users.get(i % users.size());
            TestClient.Response signed = user.post(
                    "/api/uploads", Map.of("fileName", "notes.txt", "size", FILE.length, "contentType", "text/plain"));
            if (signed.status() != 201) {
                throw new IllegalStateException("presign failed: " + signed);
            }
            Map<String, Object> body = signed.json();
            @SuppressWarnings("unchecked")
            Map<String, String> headers = (Map<String, String>) body.get("headers");
            TestClient.Response put = user.putBytes((String) body.get("url"), headers, FILE);
            if (put.status() / 100 != 2) {
                throw new IllegalStateException("PUT failed: " + put);
            }
            prepared.add(i * (prepared.size() / 20), new Prepared(user.token(), (String) body.get("uploadId")));
        }
        return prepared;
    }

    private static Path lines(Path file, List<Prepared> items, java.util.function.Function<Prepared, String> path)
            throws IOException {
        StringBuilder text = new StringBuilder();
        for (Prepared p : items) {
            text.append(p.token()).append(' ').append(path.apply(p)).append('\n');
        }
        return Files.writeString(file, text);
    }

    private static final Pattern WRK_RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    /** wrk's requests per second; {@code script} is the Lua script and its arguments, or null for plain GETs. */
    private static double wrk(String url, int seconds, List<String> script) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("wrk", "-t" + WRK_THREADS, "-c" + WRK_CONNECTIONS, "-d" + seconds + "s", "--timeout", "10s"));
        if (script != null) {
            command.add("-s");
            command.add(script.getFirst());
        }
        command.add(url);
        if (script != null) {
            command.add("--");
            command.addAll(script.subList(1, script.size()));
            command.add(String.valueOf(WRK_THREADS));
        }
        String out;
        try {
            out = run(command);
        } catch (IllegalStateException e) {
            // why: a server still overwhelmed by the open loop may refuse connections; the figure is then 0, not the
            // run
            System.out.println("  wrk failed, counted as 0 requests/s: "
                    + e.getMessage().lines().toList().getLast());
            return 0;
        }
        if (out.contains("Non-2xx")) {
            System.out.print(out.lines()
                    .filter(l -> l.contains("Non-2xx") || l.contains("errors"))
                    .map(l -> "  wrk: " + l.strip() + "\n")
                    .reduce("", String::concat));
        }
        Matcher m = WRK_RATE.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no rate:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static long completedUploads(JdbcClient jdbc) {
        return jdbc.sql("select count(*) from uploads where state = 'COMPLETE'")
                .query(Long.class)
                .single();
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed:\n" + out);
        }
        return out;
    }

    /** PostgreSQL's own rates for the two kinds of statement the accept path is made of, in Chute's database. */
    private record Pgbench(TestDatabase database, JdbcClient jdbc, Path work) {

        private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

        Pgbench {
            jdbc.sql("create table bench_insert (id uuid primary key, owner uuid not null, name text not null,"
                            + " created_at timestamptz not null default now())")
                    .update();
            jdbc.sql("create table bench_read (id int primary key, name text not null)")
                    .update();
            jdbc.sql("insert into bench_read select i, 'row ' || i from generate_series(1, 100000) i")
                    .update();
            jdbc.sql("vacuum analyze bench_read").update();
        }

        double inserts(int seconds) throws Exception {
            return pgbench(
                    "insert.sql",
                    "insert into bench_insert (id, owner, name) values (gen_random_uuid(), gen_random_uuid(), 'notes.txt');\n",
                    seconds);
        }

        double reads(int seconds) throws Exception {
            return pgbench(
                    "read.sql", "\\set id random(1, 100000)\nselect * from bench_read where id = :id;\n", seconds);
        }

        private double pgbench(String name, String script, int seconds) throws Exception {
            Path file = Files.writeString(work.resolve(name), script);
            String url = database.jdbcUrl();
            URI uri = URI.create(url.substring("jdbc:".length()));
            String db = uri.getPath().substring(1);
            String out = run(List.of(
                    "pgbench",
                    "-h",
                    uri.getHost(),
                    "-p",
                    String.valueOf(uri.getPort() == -1 ? 5432 : uri.getPort()),
                    "-U",
                    database.user(),
                    "-n",
                    "-M",
                    "prepared",
                    "-c",
                    "16",
                    "-j",
                    "2",
                    "-T",
                    String.valueOf(seconds),
                    "-f",
                    file.toString(),
                    db));
            Matcher m = TPS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("pgbench printed no rate:\n" + out);
            }
            return Double.parseDouble(m.group(1));
        }
    }

    /** nginx answering every request with a static 202 on a free port, in a prefix of its own; stopped on close. */
    private record Nginx(Process process, int port) implements AutoCloseable {

        static Nginx start(Path prefix) throws Exception {
            Files.createDirectories(prefix.resolve("tmp"));
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path conf = Files.writeString(prefix.resolve("nginx.conf"), """
                    worker_processes auto;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log warn;
                    events { worker_connections 4096; }
                    http {
                      access_log off;
                      client_body_temp_path %1$s/tmp;
                      proxy_temp_path %1$s/tmp;
                      server {
                        listen 127.0.0.1:%2$d;
                        location / {
                          default_type application/json;
                          return 202 '{"jobId":"00000000-0000-0000-0000-000000000000","status":"PENDING"}';
                        }
                      }
                    }
                    """.formatted(prefix, port));
            Process process = new ProcessBuilder(
                            "nginx", "-p", prefix.toString(), "-c", conf.toString(), "-g", "daemon off;")
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("stdout.log").toFile())
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return new Nginx(process, port);
                } catch (IOException e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "nginx did not start: " + Files.readString(prefix.resolve("stdout.log")), e);
                    }
                    Thread.sleep(50);
                }
            }
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + port);
        }

        HttpRequest request() {
            return HttpRequest.newBuilder(base().resolve("/api/uploads/x/complete"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    /** The methods the recording caught running most often (top frame of each execution sample). */
    private static void hottest(Path jfr, int limit) throws IOException {
        if (!Files.exists(jfr)) {
            System.out.println("no flight recording at " + jfr);
            return;
        }
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> chuteFrames = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            topFrames.merge(name(frames.getFirst()), 1, Integer::sum);
            frames.stream()
                    .filter(f -> f.getMethod().getType().getName().startsWith("io.chute."))
                    .findFirst()
                    .ifPresent(f -> chuteFrames.merge(name(f), 1, Integer::sum));
        }
        System.out.printf("%n== flight recording %s: %,d execution samples; hottest top frames:%n", jfr, samples);
        print(topFrames, samples, limit);
        System.out.println("innermost Chute frame of each sample:");
        print(chuteFrames, samples, 15);
    }

    private static void print(Map<String, Integer> counts, int samples, int limit) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey()));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
