package io.chute.processing;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.image.ImageRenditions;
import io.chute.processing.image.Rendition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** Images → {@code thumbnail} (200x200 cover), {@code medium} (fits 800x800), {@code large} (fits 1920x1920). */
@Component
class ImageProcessor implements Processor {

    static final Set<String> TYPES = Set.of("image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp");

    private final ImageRenditions renditions;

    ImageProcessor(ChuteProperties properties) {
        this.renditions = new ImageRenditions(properties.processing().maxPixels());
    }

    @Override
    public String jobType() {
        return "image";
    }

    @Override
    public boolean handles(String mediaType) {
        return TYPES.contains(mediaType);
    }

    @Override
    public String name() {
        return "image";
    }

    @Override
    public Step process(Context context) throws Exception {
        List<Rendition> written = renditions.render(context.file(), ImageRenditions.standardSpecs(), context::create);
        Map<String, Output> outputs = new LinkedHashMap<>();
        for (Rendition r : written) {
            outputs.put(r.name(), new Output(context.outputKey(r.name()), r.size(), r.contentType(), r.width(), r.height()));
        }
        return new Step(outputs, Map.of());
    }
}
