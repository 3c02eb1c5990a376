package io.chute.processing;

import io.chute.job.Job;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A processor's context on local disk: the file to process and a directory its outputs land in, by name. */
public final class LocalContext implements Processor.Context {

    private final Path file;
    private final String mediaType;
    private final Path outputs;
    private final List<Integer> progress = new CopyOnWriteArrayList<>();

    private LocalContext(Path file, String mediaType, Path outputs) {
        this.file = file;
        this.mediaType = mediaType;
        this.outputs = outputs;
    }

    /** {@code file} of type {@code mediaType}, its outputs written under {@code outputs}. */
    public static LocalContext of(Path file, String mediaType, Path outputs) {
        try {
            return new LocalContext(file, mediaType, Files.createDirectories(outputs));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Where output {@code name} was written. */
    public Path output(String name) {
        return outputs.resolve(name);
    }

    /** Every percentage reported, in order. */
    public List<Integer> progressReported() {
        return List.copyOf(progress);
    }

    @Override
    public Job job() {
        return null;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public String mediaType() {
        return mediaType;
    }

    @Override
    public OutputStream create(String name, String contentType) throws IOException {
        return Files.newOutputStream(outputs.resolve(name));
    }

    @Override
    public String outputKey(String name) {
        return "processed/local/" + name;
    }

    @Override
    public void quarantine() {
        throw new AssertionError("not quarantined");
    }

    @Override
    public void progress(int percent) {
        progress.add(percent);
    }
}
