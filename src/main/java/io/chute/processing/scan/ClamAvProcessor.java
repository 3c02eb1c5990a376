package io.chute.processing.scan;

import io.chute.config.ChuteProperties.Clamav.Oversize;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans every uploaded file with clamd before anything else reads it. Clean: the job's metadata
 * says so ({@code scan: {engine: clamav, result: clean}}). Infected: the original is quarantined
 * and the job is REJECTED with the signature's name. clamd unavailable: the failure is transient,
 * the job retries, and the file never passes unscanned. Too large for clamd: the configured
 * {@link Oversize} policy decides, and either way it is recorded, never silent.
 */
class ClamAvProcessor implements Processor {

    private static final Logger log = LoggerFactory.getLogger(ClamAvProcessor.class);

    private final ClamAvClient clamd;
    private final Oversize oversize;

    ClamAvProcessor(ClamAvClient clamd, Oversize oversize) {
        this.clamd = clamd;
        this.oversize = oversize;
    }

    @Override
    public String jobType() {
        return ANY_JOB_TYPE;
    }

    @Override
    public boolean handles(String mediaType) {
        return true;
    }

    @Override
    public int order() {
        return 0;
    }

    @Override
    public String name() {
        return "clamav";
    }

    @Override
    public Step process(Context context) throws Exception {
        ClamAvClient.Verdict verdict;
        try (InputStream in = Files.newInputStream(context.file())) {
            verdict = clamd.scan(in);
        }
        return switch (verdict) {
            case ClamAvClient.Verdict.Clean clean -> scanned("clean");
            case ClamAvClient.Verdict.Infected infected -> {
                // why: quarantine before rejecting, so that no retry or download can ever reach the original
                context.quarantine();
                log.warn(
                        "Job {}: infected with {}; the original is quarantined",
                        context.job().id(),
                        infected.signature());
                throw new UnprocessableFileException("infected: " + infected.signature());
            }
            case ClamAvClient.Verdict.TooLarge tooLarge ->
                switch (oversize) {
                    case REFUSE ->
                        throw new UnprocessableFileException("too large to scan (above clamd's " + tooLarge.limit()
                                + "); chute.clamav.oversize=refuse");
                    case MARK_UNSCANNED -> {
                        log.warn(
                                "Job {}: too large for clamd ({}); passed unscanned as chute.clamav.oversize=mark-unscanned",
                                context.job().id(),
                                tooLarge.limit());
                        yield scanned("unscanned: too large");
                    }
                };
        };
    }

    private static Step scanned(String result) {
        return new Step(Map.of(), Map.of("scan", Map.of("engine", "clamav", "result", result)));
    }
}
