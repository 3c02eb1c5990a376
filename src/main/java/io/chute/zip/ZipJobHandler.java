package io.chute.zip;

import io.chute.common.CountingOutputStream;
import io.chute.job.Job;
import io.chute.job.JobHandler;
import io.chute.job.Output;
import io.chute.job.PermanentJobFailure;
import io.chute.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.springframework.stereotype.Component;

/**
 * Streams a zip job's inputs, one after the other, through a Zip64-capable writer straight into
 * storage: no temporary file and no whole file in memory. Media that is already compressed is
 * STORED (its CRC is computed in a first streaming pass, since a stored entry needs it up
 * front); everything else is deflated.
 */
@Component
class ZipJobHandler implements JobHandler {

    static final String TYPE = "zip";
    static final String INPUTS = "inputs";
    private static final int BUFFER = 64 * 1024;
    private static final Set<String> COMPRESSED = Set.of(
            "image/jpeg",
            "image/png",
            "image/webp",
            "image/gif",
            "application/zip",
            "application/gzip",
            "video/mp4",
            "video/webm",
            "audio/mpeg",
            "image/heic",
            "image/avif");

    private final ObjectStore store;

    ZipJobHandler(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public Result handle(Job job, Progress progress) throws Exception {
        List<Map<String, Object>> inputs = inputsOf(job);
        long total = Math.max(
                1,
                inputs.stream()
                        .mapToLong(i -> ((Number) i.get("size")).longValue())
                        .sum());
        String key = "processed/" + job.id() + "/archive";
        long[] done = {0};
        Set<String> names = new HashSet<>();
        long written;
        try (CountingOutputStream counted = new CountingOutputStream(store.create(key, "application/zip"));
                ZipArchiveOutputStream zip = new ZipArchiveOutputStream(counted)) {
            zip.setUseZip64(Zip64Mode.AsNeeded);
            for (Map<String, Object> input : inputs) {
                String objectKey = (String) input.get("objectKey");
                long size = ((Number) input.get("size")).longValue();
                ZipArchiveEntry entry = new ZipArchiveEntry(uniqueName(names, (String) input.get("fileName")));
                entry.setSize(size);
                if (COMPRESSED.contains(input.get("detectedType"))) {
                    entry.setMethod(ZipArchiveEntry.STORED);
                    entry.setCompressedSize(size);
                    entry.setCrc(crcOf(objectKey));
                } else {
                    entry.setMethod(ZipArchiveEntry.DEFLATED);
                }
                zip.putArchiveEntry(entry);
                try (InputStream in = open(objectKey)) {
                    byte[] buffer = new byte[BUFFER];
                    for (int n; (n = in.read(buffer)) != -1; ) {
                        if (Thread.interrupted()) {
                            throw new InterruptedException("zip job interrupted");
                        }
                        zip.write(buffer, 0, n);
                        done[0] += n;
                        progress.report((int) Math.min(99, done[0] * 100 / total));
                    }
                }
                zip.closeArchiveEntry();
            }
            zip.finish();
            written = counted.count();
        }
        return new Result(
                Map.of("archive", new Output(key, written, "application/zip", null, null)),
                Map.of("entries", inputs.size()));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> inputsOf(Job job) {
        Object inputs = job.metadata().get(INPUTS);
        if (!(inputs instanceof List<?> list) || list.isEmpty()) {
            throw new PermanentJobFailure("the zip job has no inputs");
        }
        return (List<Map<String, Object>>) list;
    }

    private InputStream open(String objectKey) throws IOException {
        try {
            return store.read(objectKey);
        } catch (NoSuchFileException e) {
            throw new PermanentJobFailure("an input of the zip is no longer stored");
        }
    }

    private long crcOf(String objectKey) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = open(objectKey)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) != -1; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }

    /** The file name as an entry name: no directories, no traversal, unique within the archive. */
    static String uniqueName(Set<String> taken, String fileName) {
        String base = fileName == null ? "" : fileName.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).strip();
        if (base.isEmpty() || base.equals(".") || base.equals("..")) {
            base = "file";
        }
        String name = base;
        int dot = base.lastIndexOf('.');
        String stem = dot > 0 ? base.substring(0, dot) : base;
        String extension = dot > 0 ? base.substring(dot) : "";
        for (int i = 2; !taken.add(name.toLowerCase(java.util.Locale.ROOT)); i++) {
            name = stem + " (" + i + ")" + extension;
        }
        return name;
    }
}
