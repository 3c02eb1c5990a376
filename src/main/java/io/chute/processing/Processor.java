package io.chute.processing;

import io.chute.job.Job;
import io.chute.job.Output;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * One step of the pipeline that turns an uploaded file into what users need. A pipeline is
 * every processor that {@link #handles} the file's detected type, in {@link #order}: scanners
 * first, then the type's own processors. Adding a processor is one class: a Spring
 * {@code @Component} implementing this.
 *
 * <p>A processor reads the local file, writes its outputs through
 * {@link Context#create(String, String)} (deterministic keys {@code processed/{jobId}/{name}},
 * so a re-run overwrites), and must be safe to run again. It throws
 * {@link UnprocessableFileException} when the file itself is bad (the job is REJECTED, no
 * retry) and anything else for a transient failure (retried).
 */
public interface Processor {

    /** Steps that run in every pipeline, whatever the type (e.g. virus scanning). */
    String ANY_JOB_TYPE = "*";

    /** The job type (queue) this processor's files go to, e.g. {@code image} or {@code pdf}; or {@link #ANY_JOB_TYPE}. */
    String jobType();

    /** True if this processor works on files of the detected {@code mediaType}. */
    boolean handles(String mediaType);

    /** Lower runs first: scanners use 0, type processors 100. */
    default int order() {
        return 100;
    }

    /** A short name for logs and reasons, e.g. {@code clamav}. */
    String name();

    Step process(Context context) throws Exception;

    /** What one step produced: outputs by name and metadata to merge into the job's. */
    record Step(Map<String, Output> outputs, Map<String, Object> metadata) {
        public Step {
            outputs = Map.copyOf(outputs);
            metadata = Map.copyOf(metadata);
        }

        public static Step nothing() {
            return new Step(Map.of(), Map.of());
        }
    }

    /** The file being processed and where its outputs go. */
    interface Context {
        Job job();

        /** The file on local disk (a copy for remote stores), readable with random access. */
        Path file();

        /** The type detected from the file's bytes. */
        String mediaType();

        /** A stream for output {@code name}; closing it stores the output. */
        OutputStream create(String name, String contentType) throws IOException;

        /** The storage key of output {@code name}. */
        String outputKey(String name);

        /** Moves the original file out of reach (e.g. infected): it is never downloadable again. */
        void quarantine() throws IOException;

        /** Reports progress of the whole job, 0-100. */
        void progress(int percent);
    }
}
