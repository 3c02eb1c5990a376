package io.chute.processing.image;

import io.chute.processing.ChildProcess;
import io.chute.processing.UnprocessableFileException;
import io.chute.processing.WorkDir;
import io.chute.processing.image.RenditionGeometry.Plan;
import io.chute.processing.image.RenditionGeometry.Size;
import io.chute.processing.image.RenditionSpec.Mode;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Renders JPEG renditions with libvips, several times faster than the pure-Java
 * {@link ImageRenditions} and with more formats (TIFF, and HEIC/AVIF when this libvips decodes
 * them). libvips runs as child processes of its command-line tools ({@code vips thumbnail},
 * {@code vipsheader}), so a crash or leak in a native decoder stays out of the JVM; each command
 * has a deadline, and is killed when it passes or when the calling thread is interrupted.
 *
 * <p>Before libvips sees a file, its format is recognised from its first bytes against an
 * allow-list, and its pixel count, read from its header, is checked against {@code maxPixels}.
 * libvips' untrusted loaders (ImageMagick, PDF, SVG, …) are blocked as well.
 *
 * <p>The source is decoded once: the largest FIT rendition is made from it with libvips'
 * shrink-on-load, and every smaller one from the smallest rendition already made that covers it.
 * Sizes follow {@link RenditionGeometry}, as in the Java engine, so both engines give the same
 * dimensions; the largest rendition alone is sized by libvips, which can differ by a pixel on
 * rare sizes. Outputs are JPEG quality 85 with all metadata stripped (EXIF, including GPS, and
 * ICC), transparency flattened onto white, EXIF orientation applied.
 *
 * <p>Thread-safe: each call works in its own temporary directory under {@code tempRoot}, removed
 * before it returns.
 */
public final class VipsRenditions implements RenditionEngine {

    private static final String CONTENT_TYPE = "image/jpeg";
    // why: quality as the Java engine; strip drops EXIF (GPS!) and ICC (after conversion to sRGB); white under
    // transparency
    private static final String JPEG_OPTIONS = "[Q=85,strip,background=255]";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    // why: exit 128+n is death by signal n; these mean libvips itself crashed on what it read
    private static final Set<Integer> CRASH_SIGNALS = Set.of(4, 6, 7, 8, 11); // ILL, ABRT, BUS, FPE, SEGV
    private static final Pattern ENVIRONMENT_FAILURE = Pattern.compile(
            "(?i)out of memory|cannot allocate|no space|out of disk|disk full|write error|unable to write"
                    + "|too many open files|permission denied|read-only file system");
    private static final Pattern HEADER_SIZE = Pattern.compile(":\\s*(\\d+)x(\\d+)\\s");
    private static final Pattern VERSION = Pattern.compile("vips-(\\S+)");
    private static final Pattern LOADER = Pattern.compile("\\((\\w+load)\\)");
    private static final String INPUT = "source";

    /** The formats this engine may read, recognised from the first bytes of a file. */
    enum Format {
        JPEG("jpegload", "image/jpeg"),
        PNG("pngload", "image/png"),
        GIF("gifload", "image/gif"),
        WEBP("webpload", "image/webp"),
        TIFF("tiffload", "image/tiff"),
        HEIC("heifload", "image/heic", "image/heif"),
        AVIF("heifload", "image/avif");

        final String loader;
        final Set<String> mediaTypes;

        Format(String loader, String... mediaTypes) {
            this.loader = loader;
            this.mediaTypes = Set.of(mediaTypes);
        }
    }

    private final Path vips;
    private final Path vipsheader;
    private final String version;
    private final Set<Format> formats;
    private final Set<String> mediaTypes;
    private final long maxPixels;
    private final Duration timeout;
    private final Path tempRoot;
    private final Map<String, String> environment;

    VipsRenditions(Path tools, String version, Set<Format> formats, long maxPixels, Duration timeout, Path tempRoot) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.vips = tools.resolve("vips");
        this.vipsheader = tools.resolve("vipsheader");
        this.version = version;
        this.formats = Set.copyOf(formats);
        this.mediaTypes = formats.stream().flatMap(f -> f.mediaTypes.stream()).collect(Collectors.toUnmodifiableSet());
        this.maxPixels = maxPixels;
        this.timeout = timeout;
        this.tempRoot = tempRoot;
        this.environment = Map.of(
                // why: defence in depth; formats are already allow-listed from their bytes
                "VIPS_BLOCK_UNTRUSTED", "1",
                // why: warnings would push the error message off stderr's first line
                "VIPS_WARNING", "0");
    }

    /**
     * The directory holding the libvips tools ({@code vips} and {@code vipsheader}, from Debian's
     * {@code libvips-tools}): {@code directory} if given, else the first {@code PATH} entry that
     * has them. Empty if they are not there.
     */
    public static Optional<Path> findTools(Path directory) {
        Stream<Path> candidates = directory != null
                ? Stream.of(directory)
                : Arrays.stream(Objects.requireNonNullElse(System.getenv("PATH"), "")
                                .split(File.pathSeparator))
                        .filter(entry -> !entry.isBlank())
                        .map(Path::of);
        return candidates
                .filter(dir -> Files.isExecutable(dir.resolve("vips")) && Files.isExecutable(dir.resolve("vipsheader")))
                .map(Path::toAbsolutePath)
                .findFirst();
    }

    /**
     * An engine running the libvips tools in {@code tools}. Asks libvips for its version and
     * loaders, and tries HEIC and AVIF samples, since a libvips with a HEIF loader may still lack
     * the codec.
     *
     * @param maxPixels width*height above which an image is refused before libvips reads it
     * @param timeout   how long one libvips command may run before it is killed
     * @param tempRoot  where each rendering gets its scratch directory; created if missing
     * @throws IOException if the tools do not run or lack the JPEG and PNG loaders
     */
    public static VipsRenditions start(Path tools, long maxPixels, Duration timeout, Path tempRoot) throws IOException {
        try (WorkDir scratch = WorkDir.create(tempRoot, "vips-probe-")) {
            Path work = scratch.path();
            VipsRenditions bare = new VipsRenditions(tools, "?", Set.of(), maxPixels, PROBE_TIMEOUT, tempRoot);
            ChildProcess.Result versionRun = bare.exec(work, List.of(bare.vips.toString(), "--version"));
            Matcher version = VERSION.matcher(versionRun.output());
            if (!versionRun.succeeded() || !version.find()) {
                throw new IOException(bare.vips + " --version failed (exit " + versionRun.exitCode() + "): "
                        + versionRun.errorLine());
            }
            ChildProcess.Result list = bare.exec(work, List.of(bare.vips.toString(), "-l", "foreign"));
            Set<String> loaders =
                    LOADER.matcher(list.output()).results().map(m -> m.group(1)).collect(Collectors.toSet());
            Set<Format> formats = EnumSet.noneOf(Format.class);
            for (Format format : Format.values()) {
                if (loaders.contains(format.loader) && bare.decodes(work, format)) {
                    formats.add(format);
                }
            }
            if (!formats.containsAll(Set.of(Format.JPEG, Format.PNG))) {
                throw new IOException("libvips at " + tools + " cannot load JPEG and PNG (loaders: " + loaders + ")");
            }
            return new VipsRenditions(tools, version.group(1), formats, maxPixels, timeout, tempRoot);
        }
    }

    private boolean decodes(Path work, Format format) throws IOException {
        String sample = switch (format) {
            case HEIC -> "probe.heic";
            case AVIF -> "probe.avif";
            // why: these loaders are libvips' core formats; listing them is proof enough
            default -> null;
        };
        if (sample == null) {
            return true;
        }
        Path file = work.resolve(sample);
        try (InputStream in = Objects.requireNonNull(VipsRenditions.class.getResourceAsStream(sample), sample)) {
            Files.copy(in, file);
        }
        return exec(work, List.of(vips.toString(), "avg", file.toString())).succeeded();
    }

    @Override
    public String name() {
        return "libvips " + version;
    }

    /** The formats found usable when the engine started: always JPEG and PNG, and the others it can load. */
    @Override
    public Set<String> mediaTypes() {
        return mediaTypes;
    }

    /** {@inheritDoc} Runs libvips once per rendition at most; a rendition the same as a larger one is copied. */
    @Override
    public List<Rendition> render(Path source, List<RenditionSpec> specs, RenditionSink sink) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        List<RenditionSpec> wanted = List.copyOf(specs);
        ImageRenditions.requireDistinctNames(wanted);
        if (wanted.isEmpty()) {
            return List.of();
        }
        // why: Files.size first, so a missing file is an IOException (retryable), not "corrupt"
        if (Files.size(source) == 0) {
            throw new UnprocessableFileException("file is empty");
        }
        try (WorkDir scratch = WorkDir.create(tempRoot, "vips-")) {
            // why: libvips reads options from a file name ending in [...]; a fixed name cannot. WorkDir's
            // removal does not follow the link, so the source is never touched
            Files.createSymbolicLink(scratch.resolve(INPUT), source.toAbsolutePath());
            return new Rendering(scratch.path(), wanted, sink).run();
        }
    }

    /** One call of {@link #render}: its scratch directory and the renditions made so far. */
    private final class Rendering {

        private final Path work;
        private final List<RenditionSpec> specs;
        private final RenditionSink sink;
        /** FIT renditions already made, which smaller ones can be scaled from instead of the source. */
        private final List<Made> bases = new ArrayList<>();

        private record Made(Path file, Size size) {}

        Rendering(Path work, List<RenditionSpec> specs, RenditionSink sink) {
            this.work = work;
            this.specs = specs;
            this.sink = sink;
        }

        List<Rendition> run() throws IOException {
            Size stored = checkedSize();
            int[] order = largestFirst(specs);
            Rendition[] written = new Rendition[specs.size()];

            RenditionSpec first = specs.get(order[0]);
            Made made = fromSource(order[0], box(first), first.mode(), "down");
            // why: orientation is applied by libvips; which way the source stands is read from its result
            Optional<Size> upright = upright(stored, first, made.size());
            written[order[0]] = deliver(first, made);

            for (int k = 1; k < order.length; k++) {
                int i = order[k];
                RenditionSpec spec = specs.get(i);
                if (upright.isEmpty()) {
                    made = fromSource(i, box(spec), spec.mode(), "down");
                } else {
                    Plan plan = RenditionGeometry.plan(upright.get(), spec);
                    Optional<Made> base = bases.stream()
                            .filter(b -> b.size().covers(plan.scaled()))
                            .min(Comparator.comparingLong(b -> b.size().pixels()));
                    if (base.isPresent() && base.get().size().equals(plan.scaled()) && !plan.crops()) {
                        made = base.get(); // why: same pixels as a rendition already made; re-encoding only loses
                        // quality
                    } else if (base.isPresent()) {
                        made = derived(i, base.get(), plan, spec.mode());
                    } else {
                        made = fromSource(i, plan.output(), spec.mode(), spec.mode() == Mode.FIT ? "force" : "down");
                    }
                }
                written[i] = deliver(spec, made);
            }
            return List.of(written);
        }

        /** Format allow-list and decompression-bomb guard, before libvips decodes anything. */
        private Size checkedSize() throws IOException {
            Path input = work.resolve(INPUT);
            Format format = sniff(input)
                    .filter(formats::contains)
                    .orElseThrow(() ->
                            new UnprocessableFileException("not a supported image format (" + supportedNames() + ")"));
            Size size = switch (format) {
                case JPEG -> jpegSize(input);
                case PNG -> pngSize(input);
                default -> headerSize();
            };
            if (size.pixels() > maxPixels) {
                throw new UnprocessableFileException("image has " + size.pixels() + " pixels, limit is " + maxPixels);
            }
            return size;
        }

        private Size headerSize() throws IOException {
            ChildProcess.Result header = exec(work, List.of(vipsheader.toString(), INPUT));
            if (!header.succeeded()) {
                throw failure(header, true);
            }
            Matcher size = HEADER_SIZE.matcher(header.output());
            if (!size.find()) {
                throw new IOException("unexpected vipsheader output: "
                        + header.output().lines().findFirst().orElse(""));
            }
            try {
                return new Size(Integer.parseInt(size.group(1)), Integer.parseInt(size.group(2)));
            } catch (NumberFormatException e) {
                throw new UnprocessableFileException("image dimensions out of range: " + size.group());
            }
        }

        /** From the uploaded file: its failures are the file's, unless they say otherwise. */
        private Made fromSource(int index, Size box, Mode mode, String sizing) throws IOException {
            return thumbnail(index, INPUT, box, mode, sizing, true);
        }

        /** From a rendition made here: its failures are never the uploaded file's. */
        private Made derived(int index, Made base, Plan plan, Mode mode) throws IOException {
            // why: "force" gives exactly the planned size; libvips' own rounding of the aspect
            // ratio from an already scaled base would drift a pixel from the Java engine's
            String sizing = mode == Mode.FIT ? "force" : "down";
            return thumbnail(index, base.file().getFileName().toString(), plan.output(), mode, sizing, false);
        }

        private Made thumbnail(int index, String input, Size box, Mode mode, String sizing, boolean fromUpload)
                throws IOException {
            String output = "rendition-" + index + ".jpg";
            List<String> command = new ArrayList<>(List.of(
                    vips.toString(),
                    "thumbnail",
                    input,
                    output + JPEG_OPTIONS,
                    String.valueOf(box.width()),
                    "--height",
                    String.valueOf(box.height()),
                    "--size",
                    sizing,
                    // why: strip drops the profile; without converting first, a Display P3, Adobe RGB or
                    // ProPhoto photo would be shown as if it were sRGB (flat, off-hue). An untagged image is
                    // sRGB (libvips' own fallback shifts saturated colours); CMYK without a profile, or with
                    // one that cannot be read into colour, keeps libvips' built-in CMYK profile, which it uses
                    // when the sRGB one does not fit (the Java engine bundles the same one, see CmykJpeg)
                    "--import-profile",
                    "srgb",
                    "--export-profile",
                    "srgb"));
            if (mode == Mode.COVER) {
                command.addAll(List.of("--crop", "centre"));
            }
            if (fromUpload) {
                // why: a truncated upload would otherwise render with a grey lower part, silently
                command.addAll(List.of("--fail-on", "truncated"));
            }
            ChildProcess.Result result = exec(work, command);
            if (!result.succeeded()) {
                throw failure(result, fromUpload);
            }
            Path file = work.resolve(output);
            Made made = new Made(file, JpegHeader.size(file));
            if (mode == Mode.FIT) {
                bases.add(made);
            }
            return made;
        }

        private Rendition deliver(RenditionSpec spec, Made made) throws IOException {
            try (OutputStream out =
                    Objects.requireNonNull(sink.open(spec.name(), CONTENT_TYPE), "sink returned no stream")) {
                Files.copy(made.file(), out);
            }
            return new Rendition(
                    spec.name(), CONTENT_TYPE, made.size().width(), made.size().height(), Files.size(made.file()));
        }

        /**
         * The source's size as displayed, i.e. after the orientation libvips applied: the one of
         * its stored size or its transpose that predicts the first rendition. Empty when both
         * do and they disagree on some rendition, or neither does; then nothing is derived.
         */
        private Optional<Size> upright(Size stored, RenditionSpec first, Size got) {
            List<Size> candidates = stored.width() == stored.height()
                    ? List.of(stored)
                    : List.of(stored, new Size(stored.height(), stored.width()));
            List<Size> exact = candidates.stream()
                    .filter(c -> RenditionGeometry.plan(c, first).output().equals(got))
                    .toList();
            List<Size> matching = exact.isEmpty()
                    // why: shrink-on-load can round the first rendition a pixel away from the plan
                    ? candidates.stream()
                            .filter(c ->
                                    within1(RenditionGeometry.plan(c, first).output(), got))
                            .toList()
                    : exact;
            if (matching.size() == 1) {
                return Optional.of(matching.getFirst());
            }
            if (matching.size() == 2 && plans(matching.get(0)).equals(plans(matching.get(1)))) {
                return Optional.of(matching.getFirst());
            }
            return Optional.empty();
        }

        private List<Plan> plans(Size upright) {
            return specs.stream()
                    .map(spec -> RenditionGeometry.plan(upright, spec))
                    .toList();
        }
    }

    private ChildProcess.Result exec(Path work, List<String> command) throws IOException {
        Map<String, String> env = new HashMap<>(environment);
        // why: libvips' own temporary files land in the scratch directory, removed with it
        env.put("TMPDIR", work.toString());
        return ChildProcess.run(command, env, work, timeout);
    }

    /**
     * A failed libvips command as an exception. Throws {@link UnprocessableFileException} (not
     * retried) when the command read the upload and failed on it, not on the machine; otherwise
     * returns the transient {@link IOException} for the caller to throw.
     */
    private static IOException failure(ChildProcess.Result result, boolean fromUpload) {
        int exit = result.exitCode();
        String message = result.errorLine().isEmpty() ? "no message" : result.errorLine();
        if (exit > 128) {
            int signal = exit - 128;
            if (fromUpload && CRASH_SIGNALS.contains(signal)) {
                throw new UnprocessableFileException("libvips crashed on the image (signal " + signal + ")");
            }
            return new IOException("libvips was killed by signal " + signal + ": " + message);
        }
        if (fromUpload && !ENVIRONMENT_FAILURE.matcher(message).find()) {
            throw new UnprocessableFileException("corrupt or truncated image: " + message);
        }
        return new IOException("libvips failed (exit " + exit + "): " + message);
    }

    private String supportedNames() {
        return formats.stream().sorted().map(Format::name).collect(Collectors.joining(", "));
    }

    /** The allow-listed format the file's first bytes announce, if any. */
    static Optional<Format> sniff(Path file) throws IOException {
        byte[] head = new byte[16];
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            length = in.readNBytes(head, 0, head.length);
        }
        if (length >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF) {
            return Optional.of(Format.JPEG);
        }
        if (startsWith(head, length, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
            return Optional.of(Format.PNG);
        }
        if (startsWith(head, length, 0, ascii("GIF87a")) || startsWith(head, length, 0, ascii("GIF89a"))) {
            return Optional.of(Format.GIF);
        }
        if (startsWith(head, length, 0, ascii("RIFF")) && startsWith(head, length, 8, ascii("WEBP"))) {
            return Optional.of(Format.WEBP);
        }
        if (startsWith(head, length, 0, new byte[] {'I', 'I', 42, 0})
                || startsWith(head, length, 0, new byte[] {'M', 'M', 0, 42})
                || startsWith(head, length, 0, new byte[] {'I', 'I', 43, 0})
                || startsWith(head, length, 0, new byte[] {'M', 'M', 0, 43})) {
            return Optional.of(Format.TIFF);
        }
        if (startsWith(head, length, 4, ascii("ftyp")) && length >= 12) {
            String brand = new String(head, 8, 4, StandardCharsets.US_ASCII);
            return switch (brand) {
                case "avif", "avis" -> Optional.of(Format.AVIF);
                case "heic", "heix", "heim", "heis", "mif1" -> Optional.of(Format.HEIC);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    private static Size jpegSize(Path input) throws IOException {
        try {
            return JpegHeader.size(input);
        } catch (JpegHeader.Malformed | EOFException e) {
            throw new UnprocessableFileException("corrupt or truncated image: " + e.getMessage(), e);
        }
    }

    private static Size pngSize(Path input) throws IOException {
        // why: the IHDR chunk is always first: 8 signature bytes, length, "IHDR", width, height
        byte[] header = new byte[24];
        try (InputStream in = Files.newInputStream(input)) {
            if (in.readNBytes(header, 0, header.length) < header.length
                    || !startsWith(header, header.length, 12, ascii("IHDR"))) {
                throw new UnprocessableFileException("corrupt or truncated image: no PNG header");
            }
        }
        long width = readUnsignedInt(header, 16);
        long height = readUnsignedInt(header, 20);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new UnprocessableFileException("corrupt image: PNG header declares " + width + "x" + height);
        }
        return new Size((int) width, (int) height);
    }

    private static long readUnsignedInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFFL) << 24)
                | ((bytes[offset + 1] & 0xFFL) << 16)
                | ((bytes[offset + 2] & 0xFFL) << 8)
                | (bytes[offset + 3] & 0xFFL);
    }

    private static boolean startsWith(byte[] bytes, int length, int offset, byte[] prefix) {
        if (length < offset + prefix.length) {
            return false;
        }
        return Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Size box(RenditionSpec spec) {
        return new Size(spec.width(), spec.height());
    }

    private static boolean within1(Size a, Size b) {
        return Math.abs(a.width() - b.width()) <= 1 && Math.abs(a.height() - b.height()) <= 1;
    }

    /** Largest box first, FIT before COVER on a tie, so that the first rendition can serve the others. */
    private static int[] largestFirst(List<RenditionSpec> specs) {
        return IntStream.range(0, specs.size())
                .boxed()
                .sorted(Comparator.comparingLong((Integer i) ->
                                (long) specs.get(i).width() * specs.get(i).height())
                        .reversed()
                        .thenComparing(i -> specs.get(i).mode() == Mode.FIT ? 0 : 1))
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
