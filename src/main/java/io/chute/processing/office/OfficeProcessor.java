package io.chute.processing.office;

import io.chute.config.ChuteProperties;
import io.chute.job.Job;
import io.chute.processing.ChildProcess;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import io.chute.processing.WorkDir;
import io.chute.processing.pdf.PdfProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Office documents (Word, Excel, PowerPoint, OpenDocument, RTF) → the same outputs as a PDF:
 * {@code preview}, the first page as a JPEG, and {@code text}, the document's text as UTF-8
 * (capped like a PDF's), plus the PDF metadata ({@code pageCount}, …).
 *
 * <p>LibreOffice converts the document to PDF in a child process, killed at
 * {@code chute.processing.office.timeout}: one conversion at a time per job, with a fresh
 * profile per job (so concurrent jobs share nothing), macros disabled, and, where the kernel
 * allows a network namespace ({@code unshare}), no network at all, so external links and
 * remote images are never fetched. Zip-based documents are checked against {@link ZipBounds}
 * before LibreOffice opens them. Without LibreOffice, documents complete with the original only,
 * and the metadata says why.
 */
@Component
public class OfficeProcessor implements Processor {

    private static final Logger log = LoggerFactory.getLogger(OfficeProcessor.class);
    static final Set<String> ZIP_TYPES = Set.of(
            "application/x-tika-ooxml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation");
    static final Set<String> OTHER_TYPES = Set.of(
            "application/rtf",
            "application/x-tika-msoffice",
            "application/msword",
            "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint");
    private static final Map<String, String> EXTENSIONS = Map.of(
            "application/rtf",
            "rtf",
            "application/vnd.oasis.opendocument.text",
            "odt",
            "application/vnd.oasis.opendocument.spreadsheet",
            "ods",
            "application/vnd.oasis.opendocument.presentation",
            "odp");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
            oor:op="fuse"><value>3</value></prop></item>
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
            oor:op="fuse"><value>true</value></prop></item>
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" \
            oor:op="fuse"><value>true</value></prop></item>
            <item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" \
            oor:op="fuse"><value>1</value></prop></item>
            </oor:items>
            """;

    private final Optional<Path> soffice;
    private final List<String> isolation;
    private final ChuteProperties.Office config;
    private final ZipBounds zipBounds;
    private final Path tempRoot;
    private final PdfProcessor pdf;

    public OfficeProcessor(ChuteProperties properties, PdfProcessor pdf) {
        this.config = properties.processing().office();
        this.soffice = ChildProcess.findProgram("soffice", config.path());
        this.zipBounds =
                new ZipBounds(config.maxEntries(), config.maxUnpackedSize().toBytes(), config.maxRatio());
        this.tempRoot = properties.dataDir().resolve("tmp");
        this.pdf = pdf;
        this.isolation = soffice.isPresent() ? networkIsolation(tempRoot) : List.of();
        if (soffice.isEmpty()) {
            log.info(
                    "LibreOffice (soffice) not found in {}: office documents are accepted and kept, without previews",
                    config.path() == null ? "the PATH" : config.path());
        } else if (isolation.isEmpty()) {
            log.warn("unshare cannot make a network namespace here: LibreOffice runs with the worker's network access");
        }
    }

    @Override
    public String jobType() {
        return "office";
    }

    @Override
    public boolean handles(String mediaType) {
        return ZIP_TYPES.contains(mediaType) || OTHER_TYPES.contains(mediaType);
    }

    @Override
    public String name() {
        return "office";
    }

    @Override
    public Step process(Context context) throws Exception {
        if (ZIP_TYPES.contains(context.mediaType())) {
            zipBounds.check(context.file());
        }
        if (soffice.isEmpty()) {
            return new Step(Map.of(), Map.of("preview", "not made: LibreOffice is not installed on the worker"));
        }
        try (WorkDir work = WorkDir.create(tempRoot, "office-")) {
            Path input = work.resolve("document." + extension(context));
            Files.createSymbolicLink(input, context.file().toAbsolutePath());
            Path profile = Files.createDirectories(work.resolve("profile/user"));
            Files.writeString(profile.resolve("registrymodifications.xcu"), SETTINGS, StandardCharsets.UTF_8);
            Path out = Files.createDirectories(work.resolve("out"));
            List<String> command = new ArrayList<>(isolation);
            command.addAll(List.of(
                    soffice.get().toString(),
                    "--headless",
                    "--norestore",
                    "--nolockcheck",
                    "--nodefault",
                    "--nofirststartwizard",
                    "-env:UserInstallation=" + work.resolve("profile").toUri(),
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    out.toString(),
                    input.toString()));
            ChildProcess.Result converted =
                    ChildProcess.run(command, Map.of("HOME", work.path().toString()), work.path(), config.timeout());
            Path made = out.resolve("document.pdf");
            if (!converted.succeeded() || !Files.isRegularFile(made) || Files.size(made) == 0) {
                throw new UnprocessableFileException("LibreOffice could not read the document"
                        + (converted.errorLine().isEmpty() ? "" : ": " + converted.errorLine()));
            }
            context.progress(50);
            return pdf.process(new AsPdf(context, made));
        }
    }

    /** The extension LibreOffice's type detection starts from: the file name's when it is plain, else the type's. */
    private static String extension(Context context) {
        String name = context.job() == null || context.job().fileName() == null
                ? ""
                : context.job().fileName();
        String fromName =
                name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        return fromName.matches("[a-z0-9]{1,5}") ? fromName : EXTENSIONS.getOrDefault(context.mediaType(), "bin");
    }

    /**
     * {@code unshare -rn} (a user and a network namespace with nothing but loopback) when it works
     * here; containers without the privilege get an empty list.
     */
    private static List<String> networkIsolation(Path tempRoot) {
        Optional<Path> unshare = ChildProcess.findProgram("unshare", null);
        if (unshare.isEmpty()) {
            return List.of();
        }
        List<String> prefix = List.of(unshare.get().toString(), "-rn");
        try (WorkDir work = WorkDir.create(tempRoot, "unshare-probe-")) {
            List<String> probe = new ArrayList<>(prefix);
            probe.add("true");
            return ChildProcess.run(probe, Map.of(), work.path(), PROBE_TIMEOUT).succeeded() ? prefix : List.of();
        } catch (IOException e) {
            log.warn("Could not try unshare in {}: {}", tempRoot, e.toString());
            return List.of();
        }
    }

    /** The job's context with the converted PDF in place of the original. */
    private record AsPdf(Context original, Path pdf) implements Context {
        @Override
        public Job job() {
            return original.job();
        }

        @Override
        public Path file() {
            return pdf;
        }

        @Override
        public String mediaType() {
            return "application/pdf";
        }

        @Override
        public OutputStream create(String name, String contentType) throws IOException {
            return original.create(name, contentType);
        }

        @Override
        public String outputKey(String name) {
            return original.outputKey(name);
        }

        @Override
        public void quarantine() throws IOException {
            original.quarantine();
        }

        @Override
        public void progress(int percent) {
            original.progress(50 + percent / 2);
        }
    }
}
