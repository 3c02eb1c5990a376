package io.chute.upload;

import io.chute.support.BenchResults;
import io.chute.support.ChuteProcess;
import io.chute.support.JitWarmup;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * The direct lane, {@code POST /api/upload}, with a large file: MB/s from the first byte sent to the 202 (the
 * file is stored, hashed and its job queued), against a plain disk copy of the same file to the same disk in
 * the same run ({@code dd bs=1M conv=fsync}), for both stores: the embedded filesystem store and S3 (s3proxy
 * on the filesystem, in this JVM, as the tests run it). Chute runs in its own JVM at {@code -Xmx256m} with a GC
 * log; the heap after each collection during the uploads is compared with the heap after collections before
 * the first upload, which shows whether memory stays flat whatever the file's size.
 *
 * <p>Run with {@code bench/streaming-upload.sh [MiB] [rounds]}. Not a test: it asserts nothing and prints
 * medians (and appends them to {@code CHUTE_BENCH_RESULTS} when set). {@code CHUTE_BENCH_STORES=filesystem} (or
 * {@code s3}) runs one store only. curl sends the files, as an operator's script would; {@code
 * CHUTE_BENCH_CLIENT=java} sends them with {@code java.net.http} instead (which costs about a third of the rate
 * on 2 cores: it then shares them with Chute as the limit). {@code CHUTE_BENCH_JFR=1} records Chute with Flight Recorder (profile
 * settings) to {@code chute-<store>.jfr} next to the GC log, for {@code jfr view hot-methods} and the like.
 * {@code bench/streaming-upload.sh --before REV} (which sets {@code CHUTE_BENCH_BEFORE_CP}) runs each store first
 * with the build of revision {@code REV}, then with this one, so that before and after are measured under the same
 * load.
 */
public final class StreamingUploadBenchmark {

    private static final String KEY = "chute-bench";
    private static final String SECRET = "chute-bench-secret";
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private StreamingUploadBenchmark() {}

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Path.of("target/bench/streaming-upload").toAbsolutePath();
        Files.createDirectories(work);
        Path file = work.resolve("file-" + mib + "MiB.bin");
        writeFile(file, mib * 1024 * 1024);
        System.out.printf(
                "streaming upload: %d MiB, %d rounds per store; %s on %s; load average %s%n",
                mib, rounds, work, Files.getFileStore(work).name(), loadAverage());
        if (!builds().getFirst().isEmpty()) {
            System.out.printf(
                    "each store with the build before (%s) first%n", System.getenv("CHUTE_BENCH_BEFORE_NAME"));
        }

        List<Double> dd = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            dd.add(dd(file, work.resolve("dd.out")));
        }
        double ddRate = median(dd);
        System.out.printf("dd bs=1M conv=fsync, same file to the same disk: %s MB/s, median %.0f MB/s%n", dd, ddRate);

        S3Proxy s3 = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(
                        Files.createDirectories(work.resolve("s3proxy")).toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                .build();
        s3.start();
        while (!"STARTED".equals(s3.getState())) {
            Thread.sleep(50);
        }
        try (TestDatabase database = TestDatabase.create()) {
            List<String> common = List.of(
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--chute.roles=api");
            if (selected("filesystem")) {
                for (String build : builds()) {
                    store("filesystem" + build, file, mib, rounds, ddRate, work, common, List.of());
                }
            }
            for (String build : selected("s3") ? builds() : List.<String>of()) {
                store(
                        "s3 (s3proxy)" + build,
                        file,
                        mib,
                        rounds,
                        ddRate,
                        work,
                        common,
                        List.of(
                                "--chute.storage.type=s3",
                                "--chute.storage.s3.endpoint=http://127.0.0.1:" + s3.getPort(),
                                "--chute.storage.s3.bucket=chute-bench",
                                "--chute.storage.s3.access-key=" + KEY,
                                "--chute.storage.s3.secret-key=" + SECRET,
                                "--chute.storage.s3.path-style=true"));
            }
        } finally {
            s3.stop();
            Files.deleteIfExists(work.resolve("dd.out"));
        }
    }

    private static void store(
            String name,
            Path file,
            long mib,
            int rounds,
            double ddRate,
            Path work,
            List<String> common,
            List<String> storage)
            throws Exception {
        String slug = name.replaceAll("[^a-z0-9]+", "-");
        String classPath = name.endsWith(BEFORE) ? System.getenv("CHUTE_BENCH_BEFORE_CP") : null;
        Path gcLog = work.resolve("gc-" + slug + ".log");
        Files.deleteIfExists(gcLog);
        List<String> arguments = new ArrayList<>(common);
        arguments.add("--chute.data-dir=" + work.resolve("data-" + slug));
        arguments.addAll(storage);
        List<Double> rates = new ArrayList<>();
        long before;
        long during = 0;
        int collections = 0;
        List<String> gcDuring = new ArrayList<>();
        List<String> jvmOptions = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog + ":uptime"));
        if ("1".equals(System.getenv("CHUTE_BENCH_JFR"))) {
            Path jfr = work.resolve("chute-" + slug + ".jfr");
            jvmOptions.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr);
            System.out.printf("%s: recording to %s%n", name, jfr);
        }
        try (ChuteProcess chute = ChuteProcess.startWithJvmOptions(
                work.resolve("chute-" + slug + ".log"), "256m", jvmOptions, arguments.toArray(String[]::new))) {
            TestClient user = chute.client().registerNewUser();
            // a small upload first, so that the figure below includes what serving one upload keeps
            upload(chute.base(), user.token(), Files.writeString(work.resolve("small.txt"), "warm-up\n"));
            before = maxHeapAfterGc(Files.readAllLines(gcLog), 0);
            // then uploads of a smaller file (each deleted) until Chute's JIT has settled, not timed
            Path warmFile = work.resolve("warm-up-64MiB.bin");
            writeFile(warmFile, 64L * 1024 * 1024);
            JitWarmup.of(chute.pid()).run(2, JitWarmup.limit(), round -> {
                String warm = upload(chute.base(), user.token(), warmFile);
                if (user.delete("/api/uploads/" + warm).status() != 204) {
                    throw new IllegalStateException("could not delete upload " + warm);
                }
            });
            for (int round = 0; round < rounds; round++) {
                int gcLines = Files.readAllLines(gcLog).size();
                long start = System.nanoTime();
                String uploadId = upload(chute.base(), user.token(), file);
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = mib * 1024 * 1024 / 1e6 / seconds;
                rates.add(rate);
                List<String> gc = Files.readAllLines(gcLog);
                List<String> roundGc = gc.subList(gcLines, gc.size());
                during = Math.max(during, maxHeapAfterGc(roundGc, 0));
                gcDuring = roundGc;
                collections += roundGc.size();
                System.out.printf(
                        "%s, round %d: %.1f s, %.0f MB/s (%.2f of dd), %d collections, heap after them at most %d MiB%n",
                        name, round, seconds, rate, rate / ddRate, roundGc.size(), maxHeapAfterGc(roundGc, 0));
                if (user.delete("/api/uploads/" + uploadId).status() != 204) {
                    throw new IllegalStateException("could not delete upload " + uploadId);
                }
            }
        }
        double rate = median(rates);
        System.out.printf(
                "%s: median %.0f MB/s, %.2f of dd; heap after GC at most %d MiB during the uploads, %d MiB before"
                        + " (-Xmx256m); GC log %s, last round's collections:%n",
                name, rate, rate / ddRate, during, before, gcLog);
        gcDuring.stream().limit(6).forEach(line -> System.out.println("  " + line));
        if (gcDuring.size() > 6) {
            System.out.printf("  ... %d more; the last: %s%n", gcDuring.size() - 6, gcDuring.getLast());
        }
        BenchResults.record(
                "streaming upload, POST /api/upload, " + name + ", " + mib + " MiB",
                rate,
                "MB/s",
                "dd bs=1M conv=fsync of the same file to the same disk",
                ddRate,
                BenchResults.Target.atLeast("ratio >= 0.90", rate / ddRate, 0.90));
        // why: no collection during the uploads means the heap never filled its young generation: flat at the level
        // before
        boolean collected = collections > 0;
        BenchResults.record(
                "streaming upload, " + name + ", " + mib + " MiB: max heap after GC at -Xmx256m"
                        + (collected ? "" : " (no collection during the uploads)"),
                collected ? during : before,
                "MiB",
                "max heap after GC before the large uploads",
                (double) before,
                BenchResults.Target.NONE);
    }

    /**
     * Sends {@code file} as the {@code file} part of a multipart body, streamed from disk; returns the upload id. curl
     * sends it ({@code -F file=@…}); with {@code CHUTE_BENCH_CLIENT=java}, {@code java.net.http} does.
     */
    private static String upload(URI base, String token, Path file) throws Exception {
        if (!"java".equals(System.getenv("CHUTE_BENCH_CLIENT"))) {
            String out = AcceptPathBenchmark.run(List.of(
                    "curl",
                    "-sS",
                    "--fail-with-body",
                    "-H",
                    "Authorization: Bearer " + token,
                    "-F",
                    "file=@" + file + ";type=application/octet-stream",
                    base.resolve("/api/upload").toString()));
            return (String) TestClient.json(out).get("uploadId");
        }
        String boundary = "chute-bench-boundary-7f3a";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/upload"))
                .timeout(Duration.ofMinutes(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(file),
                        HttpRequest.BodyPublishers.ofString(tail)))
                .build();
        HttpResponse<String> response = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("upload answered " + response.statusCode() + ": " + response.body());
        }
        return (String) TestClient.json(response.body()).get("uploadId");
    }

    private static final String BEFORE = " [before]";

    /** The builds to run each store with: the one before first when {@code CHUTE_BENCH_BEFORE_CP} gives one. */
    private static List<String> builds() {
        String before = System.getenv("CHUTE_BENCH_BEFORE_CP");
        return before == null || before.isBlank() ? List.of("") : List.of(BEFORE, "");
    }

    /** Whether {@code CHUTE_BENCH_STORES} (comma-separated; all when unset) names the store starting with {@code name}. */
    private static boolean selected(String name) {
        String stores = System.getenv("CHUTE_BENCH_STORES");
        return stores == null || stores.isBlank() || List.of(stores.split(",")).contains(name);
    }

    /** MB/s of {@code dd bs=1M conv=fsync} copying {@code file} to {@code target}. */
    private static double dd(Path file, Path target) throws Exception {
        Files.deleteIfExists(target);
        long start = System.nanoTime();
        AcceptPathBenchmark.run(List.of("dd", "if=" + file, "of=" + target, "bs=1M", "conv=fsync"));
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = Files.size(file) / 1e6 / seconds;
        Files.delete(target);
        return Math.round(rate);
    }

    private static long maxHeapAfterGc(List<String> lines, long floor) {
        long max = floor;
        for (String line : lines) {
            Matcher m = GC_HEAP.matcher(line);
            if (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(2)));
            }
        }
        return max;
    }

    /** Pseudo-random bytes (incompressible, so no layer can shortcut them), written once and kept. */
    private static void writeFile(Path file, long size) throws IOException {
        if (Files.exists(file) && Files.size(file) == size) {
            return;
        }
        SplittableRandom random = new SplittableRandom(42);
        byte[] block = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        block[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
