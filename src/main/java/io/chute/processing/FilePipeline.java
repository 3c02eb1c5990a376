package io.chute.processing;

import io.chute.job.Job;
import io.chute.job.JobHandler;
import io.chute.job.JobTracing;
import io.chute.job.Output;
import io.chute.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Runs an uploaded file through its pipeline: every {@link Processor} that handles its
 * detected type, in order (scanners first). Serves every job type a processor declares, so
 * each type keeps its own queue, concurrency and timeout.
 */
@Component
class FilePipeline implements JobHandler {

    private final ObjectStore store;
    private final List<Processor> processors;
    private final JobTracing tracing;

    FilePipeline(ObjectStore store, List<Processor> processors, JobTracing tracing) {
        this.store = store;
        this.tracing = tracing;
        this.processors = processors.stream()
                .sorted(Comparator.comparingInt(Processor::order))
                .toList();
    }

    @Override
    public Set<String> types() {
        return processors.stream()
                .map(Processor::jobType)
                .filter(t -> !Processor.ANY_JOB_TYPE.equals(t))
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Result handle(Job job, Progress progress) throws Exception {
        List<Processor> steps = stepsFor(job);
        Map<String, Output> outputs = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        try (ObjectStore.LocalFile local = store.localFile(job.objectKey())) {
            Context context = new Context(job, local.path(), progress);
            for (int i = 0; i < steps.size(); i++) {
                Processor processor = steps.get(i);
                Processor.Step step =
                        tracing.inChildSpan("process " + processor.name(), () -> processor.process(context));
                outputs.putAll(step.outputs());
                metadata.putAll(step.metadata());
                progress.report(Math.min(99, 100 * (i + 1) / steps.size()));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UnprocessableFileException("the uploaded file is gone from storage");
        }
        return new Result(outputs, metadata);
    }

    private List<Processor> stepsFor(Job job) {
        String media = job.detectedType();
        List<Processor> steps = processors.stream()
                .filter(p -> media != null && p.handles(media))
                .filter(p -> Processor.ANY_JOB_TYPE.equals(p.jobType())
                        || p.jobType().equals(job.type()))
                .toList();
        if (steps.stream().allMatch(p -> Processor.ANY_JOB_TYPE.equals(p.jobType()))) {
            throw new UnprocessableFileException("no processor for " + media + " in " + job.type() + " jobs");
        }
        return steps;
    }

    static String outputKey(Job job, String name) {
        return "processed/" + job.id() + "/" + name;
    }

    private final class Context implements Processor.Context {
        private final Job job;
        private final Path file;
        private final Progress progress;

        Context(Job job, Path file, Progress progress) {
            this.job = job;
            this.file = file;
            this.progress = progress;
        }

        @Override
        public Job job() {
            return job;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public String mediaType() {
            return job.detectedType();
        }

        @Override
        public OutputStream create(String name, String contentType) throws IOException {
            return store.create(outputKey(name), contentType);
        }

        @Override
        public String outputKey(String name) {
            return FilePipeline.outputKey(job, name);
        }

        @Override
        public void quarantine() throws IOException {
            try (InputStream in = store.read(job.objectKey())) {
                store.write("quarantine/" + job.objectKey(), in, Long.MAX_VALUE);
            }
            store.delete(job.objectKey());
        }

        @Override
        public void progress(int percent) {
            progress.report(percent);
        }
    }
}
