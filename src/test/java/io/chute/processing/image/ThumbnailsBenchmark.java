package io.chute.processing.image;

import io.chute.support.BenchResults;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Images per second for the three standard renditions (thumbnail 200x200 cover, medium fits
 * 800x800, large fits 1920x1920, JPEG Q85 without metadata) of 4000x3000 photos, three ways in one
 * run, each with as many images in flight as there are cores:
 * <ol>
 *   <li>{@code vipsthumbnail} as a user would run it: one command per image and size, from the
 *       original each time, with its shrink-on-load;</li>
 *   <li>Chute's libvips engine, {@link VipsRenditions};</li>
 *   <li>Chute's pure-Java engine, {@link ImageRenditions}.</li>
 * </ol>
 * The photos (gradients, shapes and sensor-like noise, so they compress like camera JPEGs) are
 * generated once into {@code target/bench-images}. Round 0 warms up and is not counted; the order
 * of the three rotates from round to round.
 *
 * <p>Run with {@code bench/thumbnails.sh [images] [rounds] [parallelism]}. Not a test: it asserts
 * nothing and prints medians.
 */
public final class ThumbnailsBenchmark {

    private static final int WIDTH = 4000;
    private static final int HEIGHT = 3000;
    private static final String VIPSTHUMBNAIL_OUTPUT = "[Q=85,strip]";
    /** {@code getconf CLK_TCK}: 100 on Linux everywhere that matters. */
    private static final int CLOCK_TICKS = 100;

    private ThumbnailsBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int parallelism = args.length > 2
                ? Integer.parseInt(args[2])
                : Runtime.getRuntime().availableProcessors();
        if (count < 1 || rounds < 1 || parallelism < 1) {
            throw new IllegalArgumentException(
                    "usage: ThumbnailsBenchmark [images >= 1] [rounds >= 1] [parallelism >= 1]");
        }
        Path target = Path.of("target");
        List<Path> photos = photos(target.resolve("bench-images"), count);
        Path out = target.resolve("bench-out");
        Path tools = VipsRenditions.findTools(null)
                .orElseThrow(() ->
                        new IllegalStateException("libvips tools not on the PATH: apt-get install libvips-tools"));
        Path vipsthumbnail = tools.resolve("vipsthumbnail");
        VipsRenditions vips = VipsRenditions.start(tools, 100_000_000, Duration.ofMinutes(2), out.resolve("tmp"));
        ImageRenditions java = new ImageRenditions(100_000_000);
        long bytes = 0;
        for (Path photo : photos) {
            bytes += Files.size(photo);
        }
        System.out.printf(
                "%d photos %dx%d, %.1f MB each on average; parallelism %d; %s; load average %s%n",
                count, WIDTH, HEIGHT, bytes / 1e6 / count, parallelism, vips.name(), loadAverage());

        List<Engine> engines = List.of(
                new Engine("vipsthumbnail x3", photo -> vipsthumbnail(vipsthumbnail, photo, out)),
                new Engine(
                        "chute vips", photo -> vips.render(photo, ImageRenditions.standardSpecs(), sink(out, photo))),
                new Engine(
                        "chute java", photo -> java.render(photo, ImageRenditions.standardSpecs(), sink(out, photo))));
        try (ExecutorService pool = Executors.newFixedThreadPool(parallelism)) {
            for (int round = 0; round <= rounds; round++) {
                StringBuilder line = new StringBuilder("round " + round + (round == 0 ? " (warm-up)" : "") + ":");
                for (int k = 0; k < engines.size(); k++) {
                    Engine engine = engines.get((k + round) % engines.size());
                    double rate = engine.measure(pool, photos, out);
                    if (round > 0) {
                        engine.rates.add(rate);
                        engine.cpu.add(engine.lastCpu);
                    }
                    line.append(
                            String.format("  %s %.2f images/s (%.2f cpu s/image)", engine.name, rate, engine.lastCpu));
                }
                System.out.println(line);
            }
        }
        double baseline = median(engines.get(0).rates);
        System.out.printf(
                "%nmedians over %d rounds of %d photos, parallelism %d (load average now %s):%n",
                rounds, count, parallelism, loadAverage());
        for (Engine engine : engines) {
            double rate = median(engine.rates);
            System.out.printf(
                    "  %-18s %6.2f images/s   %.2f x vipsthumbnail   %.3f cpu s/image%n",
                    engine.name, rate, rate / baseline, median(engine.cpu));
        }
        double vipsEngine = median(engines.get(1).rates);
        BenchResults.record(
                "thumbnails, 3 renditions of 4000x3000 photos, libvips engine",
                vipsEngine,
                "images/s",
                "vipsthumbnail, one command per image and size",
                baseline,
                BenchResults.Target.atLeast("ratio >= 1", vipsEngine / baseline, 1));
        BenchResults.record(
                "thumbnails, 3 renditions of 4000x3000 photos, pure-Java engine",
                median(engines.get(2).rates),
                "images/s",
                "vipsthumbnail, one command per image and size",
                baseline,
                BenchResults.Target.NONE);
    }

    private interface Task {
        void run(Path photo) throws Exception;
    }

    private static final class Engine {
        final String name;
        final Task task;
        final List<Double> rates = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        double lastCpu;

        Engine(String name, Task task) {
            this.name = name;
            this.task = task;
        }

        double measure(ExecutorService pool, List<Path> photos, Path out) throws Exception {
            deleteRecursively(out.resolve("renditions"));
            Files.createDirectories(out.resolve("renditions"));
            double cpuBefore = processCpuSeconds();
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (Path photo : photos) {
                done.add(pool.submit(() -> {
                    task.run(photo);
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            lastCpu = (processCpuSeconds() - cpuBefore) / photos.size();
            return photos.size() / seconds;
        }
    }

    /** The three commands a user would write, each from the original. */
    private static void vipsthumbnail(Path vipsthumbnail, Path photo, Path out)
            throws IOException, InterruptedException {
        // why: vipsthumbnail replaces %s with the input's name
        String stem = out.resolve("renditions").toAbsolutePath() + "/%s-";
        run(List.of(
                vipsthumbnail.toString(),
                photo.toString(),
                "--size",
                "1920x1920>",
                "-o",
                stem + "large.jpg" + VIPSTHUMBNAIL_OUTPUT));
        run(List.of(
                vipsthumbnail.toString(),
                photo.toString(),
                "--size",
                "800x800>",
                "-o",
                stem + "medium.jpg" + VIPSTHUMBNAIL_OUTPUT));
        run(List.of(
                vipsthumbnail.toString(),
                photo.toString(),
                "--size",
                "200x200",
                "--smartcrop",
                "centre",
                "-o",
                stem + "thumbnail.jpg" + VIPSTHUMBNAIL_OUTPUT));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit " + process.exitValue());
        }
    }

    private static RenditionSink sink(Path out, Path photo) {
        Path dir = out.resolve("renditions");
        return (name, contentType) -> Files.newOutputStream(dir.resolve(photo.getFileName() + "-" + name + ".jpg"));
    }

    /** {@code count} distinct photo-like JPEGs, generated on the first run and reused after. */
    private static List<Path> photos(Path dir, int count) throws Exception {
        Files.createDirectories(dir);
        List<Path> photos = IntStream.range(0, count)
                .mapToObj(i -> dir.resolve(String.format("photo-%02d-%dx%d.jpg", i, WIDTH, HEIGHT)))
                .toList();
        List<Path> missing = photos.stream().filter(p -> !Files.exists(p)).toList();
        if (!missing.isEmpty()) {
            System.out.printf("generating %d photos into %s ...%n", missing.size(), dir);
            try (ExecutorService pool =
                    Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())) {
                List<Future<?>> done = new ArrayList<>();
                for (Path photo : missing) {
                    done.add(pool.submit(() -> {
                        writePhoto(photo, photos.indexOf(photo));
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get();
                }
            }
        }
        return photos;
    }

    /**
     * Smooth lighting gradients, a few soft-edged shapes and per-pixel noise of about the
     * amplitude of a phone sensor's, encoded at quality 92 with 4:2:0 chroma as cameras do.
     */
    private static void writePhoto(Path file, long seed) throws IOException {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        double[][] blobs = new double[12][];
        for (int b = 0; b < blobs.length; b++) {
            blobs[b] = new double[] {
                random.nextDouble() * WIDTH,
                random.nextDouble() * HEIGHT,
                200 + random.nextDouble() * 900,
                random.nextDouble() * 2 - 1,
                random.nextDouble() * 2 - 1,
                random.nextDouble() * 2 - 1
            };
        }
        double phase = random.nextDouble() * Math.PI;
        // why: the per-row and per-column terms are tabulated; generating 24 photos stays quick
        double[] waveX = new double[WIDTH];
        double[] waveY = new double[HEIGHT];
        for (int x = 0; x < WIDTH; x++) {
            waveX[x] = 25 * Math.sin(x / 210.0 + phase);
        }
        for (int y = 0; y < HEIGHT; y++) {
            waveY[y] = 15 * Math.cos(y / 150.0 + phase);
        }
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                double r = 90 + 80.0 * x / WIDTH + waveX[x];
                double g = 110 + 60.0 * y / HEIGHT + 0.8 * waveX[(x + y) % WIDTH];
                double bl = 140 - 70.0 * y / HEIGHT + waveY[y];
                for (double[] blob : blobs) {
                    double dx = x - blob[0];
                    double dy = y - blob[1];
                    double d2 = (dx * dx + dy * dy) / (blob[2] * blob[2]);
                    if (d2 < 1) {
                        double w = 60 * (1 - d2);
                        r += w * blob[3];
                        g += w * blob[4];
                        bl += w * blob[5];
                    }
                }
                // why: fine texture and sensor-like noise give the high frequencies real photos have
                double texture = ((x * 7 + y * 13) % 23) - 11;
                pixels[y * WIDTH + x] = (clamp(r + texture + noise(random)) << 16)
                        | (clamp(g + texture + noise(random)) << 8)
                        | clamp(bl + texture + noise(random));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try (ImageOutputStream output = ImageIO.createImageOutputStream(part.toFile())) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.92f);
            writer.setOutput(output);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        Files.move(part, file);
    }

    /** Roughly normal, standard deviation about 6, far cheaper than nextGaussian. */
    private static int noise(Random random) {
        return random.nextInt(11) + random.nextInt(11) + random.nextInt(11) - 15;
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * CPU time of this JVM and of the children it has waited for (user + system, from
     * {@code /proc/self/stat}), so libvips' processes count as well as Java's threads. On a
     * shared machine it is steadier than wall time.
     */
    private static double processCpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields from state (3rd in the man page) on: utime, stime, cutime, cstime are 14-17
        long ticks = 0;
        for (int field = 14; field <= 17; field++) {
            ticks += Long.parseLong(fields[field - 3]);
        }
        return ticks / (double) CLOCK_TICKS;
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
