package io.chute.processing;

import io.chute.config.ChuteProperties;
import io.chute.job.Job;
import io.chute.job.JobHandler;
import io.chute.job.Output;
import io.chute.processing.image.ImageRenditions;
import io.chute.processing.image.Rendition;
import io.chute.storage.ObjectStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Turns an uploaded image into its {@code thumbnail}, {@code medium} and {@code large} renditions. */
@Component
class ImageJobHandler implements JobHandler {

    private final ObjectStore store;
    private final ImageRenditions renditions;

    ImageJobHandler(ObjectStore store, ChuteProperties properties) {
        this.store = store;
        this.renditions = new ImageRenditions(properties.processing().maxPixels());
    }

    @Override
    public String type() {
        return "image";
    }

    @Override
    public Result handle(Job job, Progress progress) throws Exception {
        List<Rendition> written;
        try (ObjectStore.LocalFile source = store.localFile(job.objectKey())) {
            progress.report(10);
            written = renditions.render(source.path(), ImageRenditions.standardSpecs(),
                    (name, contentType) -> store.create(outputKey(job, name), contentType));
        }
        Map<String, Output> outputs = new LinkedHashMap<>();
        for (Rendition r : written) {
            outputs.put(r.name(), new Output(outputKey(job, r.name()), r.size(), r.contentType(), r.width(), r.height()));
        }
        return new Result(outputs, Map.of());
    }

    /** Deterministic, so that a re-run overwrites instead of duplicating. */
    static String outputKey(Job job, String name) {
        return "processed/" + job.id() + "/" + name;
    }
}
