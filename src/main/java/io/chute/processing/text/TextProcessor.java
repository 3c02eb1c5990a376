package io.chute.processing.text;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.Processor;
import io.chute.processing.pdf.CappedUtf8Writer;
import io.chute.processing.pdf.FirstPagePreview;
import io.chute.processing.pdf.OutputTarget;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Text and code (plain text, CSV, JSON, Markdown, source files, logs) → {@code text}, the file
 * re-encoded as UTF-8 from the encoding detected in its bytes and capped at
 * {@code chute.processing.text.max-text} like a PDF's, and {@code preview}, a JPEG of its first
 * lines (of a CSV, its first rows as a table). Metadata: {@code encoding}, {@code textTruncated},
 * and {@code csvColumns} for a table. The file is streamed; only the preview's lines are held.
 */
@Component
public class TextProcessor implements Processor {

    static final String TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final Set<String> APPLICATION_TYPES = Set.of(
            "application/json",
            "application/xml",
            "application/javascript",
            "application/x-sh",
            "application/sql",
            "application/x-yaml");
    private static final Set<String> TABLE_EXTENSIONS = Set.of("csv", "tsv");

    private final ChuteProperties.Text limits;

    public TextProcessor(ChuteProperties properties) {
        this.limits = properties.processing().text();
    }

    @Override
    public String jobType() {
        return "text";
    }

    @Override
    public boolean handles(String mediaType) {
        return mediaType.startsWith("text/") || APPLICATION_TYPES.contains(mediaType);
    }

    @Override
    public String name() {
        return "text";
    }

    @Override
    public Step process(Context context) throws Exception {
        Path file = context.file();
        Charset charset = Encodings.detect(file);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("encoding", charset.name());
        List<String> head = readHead(file, charset);
        Map<String, Output> outputs = new LinkedHashMap<>();
        Table table = Table.of(head, TABLE_EXTENSIONS.contains(extension(context)));
        BufferedImage image = table != null ? TextPreview.table(table.rows()) : TextPreview.lines(head);
        if (table != null) {
            metadata.put("csvColumns", table.columns());
        }
        outputs.put("preview", writePreview(image, context));
        context.progress(30);
        boolean truncated = writeText(file, charset, context, outputs);
        metadata.put("textTruncated", truncated);
        return new Step(outputs, metadata);
    }

    private List<String> readHead(Path file, Charset charset) throws IOException {
        try (BufferedReader reader = new BufferedReader(decoder(Encodings.open(file, charset), charset))) {
            return reader.lines()
                    .limit(limits.previewLines())
                    .map(TextProcessor::cap)
                    .toList();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A line of at most 500 characters: a minified file is one enormous line. */
    private static String cap(String line) {
        return line.length() > 500 ? line.substring(0, 500) : line;
    }

    private static Output writePreview(BufferedImage image, Context context) throws IOException {
        try (OutputTarget target = new OutputTarget(context.create("preview", FirstPagePreview.CONTENT_TYPE))) {
            FirstPagePreview.writeJpeg(image, target);
            target.close();
            return new Output(
                    context.outputKey("preview"),
                    target.count(),
                    FirstPagePreview.CONTENT_TYPE,
                    image.getWidth(),
                    image.getHeight());
        }
    }

    private boolean writeText(Path file, Charset charset, Context context, Map<String, Output> outputs)
            throws IOException {
        boolean truncated = false;
        try (OutputTarget target = new OutputTarget(context.create("text", TEXT_CONTENT_TYPE));
                Reader in = decoder(Encodings.open(file, charset), charset)) {
            CappedUtf8Writer writer = new CappedUtf8Writer(
                    new BufferedOutputStream(target, 64 * 1024),
                    limits.maxText().toBytes());
            char[] buffer = new char[16 * 1024];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    writer.write(buffer, 0, n);
                    if (Thread.currentThread().isInterrupted()) {
                        throw new java.io.InterruptedIOException("text extraction interrupted");
                    }
                }
            } catch (CappedUtf8Writer.CapReached e) {
                truncated = true;
            }
            writer.close();
            outputs.put("text", new Output(context.outputKey("text"), target.count(), TEXT_CONTENT_TYPE, null, null));
        }
        return truncated;
    }

    /** Decodes leniently: a stray byte becomes U+FFFD rather than failing the file. */
    private static Reader decoder(InputStream in, Charset charset) {
        return new InputStreamReader(
                in,
                charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE));
    }

    private static String extension(Context context) {
        String name = context.job() == null || context.job().fileName() == null
                ? ""
                : context.job().fileName();
        return name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
    }
}
