package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.processing.image.RenditionGeometry.Plan;
import io.chute.processing.image.RenditionGeometry.Size;
import io.chute.processing.image.RenditionSpec.Mode;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenditionGeometryTest {

    @ParameterizedTest(name = "{0}x{1} FIT {2}x{3} -> {4}x{5}")
    @CsvSource({
        "4000, 3000, 1920, 1920, 1920, 1440",
        "4000, 3000,  800,  800,  800,  600",
        "3000, 4000, 1920, 1920, 1440, 1920",
        "1200,  900, 1920, 1920, 1200,  900", // never upscales
        " 150,  100,  800,  800,  150,  100",
        "1000, 1000,  300,  200,  200,  200", // height binds
        "1000,    3,  500,  500,  500,    2", // 1.5 rounds half up
        "10000,  10,  200,  200,  200,    1", // 0.2 px is kept at 1
        "10,  10000,  200,  200,    1,  200",
        "   1,    1,  200,  200,    1,    1",
    })
    void fitScalesDownInsideTheBoxKeepingAspectRatio(int w, int h, int boxW, int boxH, int outW, int outH) {
        Plan plan = RenditionGeometry.plan(new Size(w, h), new RenditionSpec("r", boxW, boxH, Mode.FIT));

        assertThat(plan.output()).isEqualTo(new Size(outW, outH));
        assertThat(plan.scaled()).isEqualTo(plan.output());
        assertThat(plan.crops()).isFalse();
    }

    @ParameterizedTest(name = "{0}x{1} COVER {2}x{3} -> scaled {4}x{5}, cropped {6}x{7}")
    @CsvSource({
        "4000, 3000, 200, 200,   267, 200,  200, 200",
        "3000, 4000, 200, 200,   200, 267,  200, 200",
        "1200,  900, 200, 200,   267, 200,  200, 200",
        " 150,  100, 200, 200,   150, 100,  150, 100", // smaller than the box: no upscale, no crop
        " 300,  100, 200, 200,   300, 100,  200, 100", // wider than the box only: crop width
        "10000,  10, 200, 200, 10000,  10,  200,  10", // panorama: covering would upscale
        "1000, 1000, 300, 100,   300, 300,  300, 100",
        " 200,  200, 200, 200,   200, 200,  200, 200",
    })
    void coverScalesToCoverTheBoxThenCropsWithoutUpscaling(
            int w, int h, int boxW, int boxH, int scaledW, int scaledH, int outW, int outH) {
        Plan plan = RenditionGeometry.plan(new Size(w, h), new RenditionSpec("r", boxW, boxH, Mode.COVER));

        assertThat(plan.scaled()).isEqualTo(new Size(scaledW, scaledH));
        assertThat(plan.output()).isEqualTo(new Size(outW, outH));
    }

    @Test
    void standardSpecsOfA4000x3000PhotoDecodeAtHalfSize() {
        Size source = new Size(4000, 3000);

        int factor = RenditionGeometry.subsampling(source, plans(source, ImageRenditions.standardSpecs()));

        assertThat(factor).isEqualTo(2); // decodes at 2000x1500, still >= 1920x1440
    }

    @Test
    void smallImagesAreDecodedAtFullSize() {
        Size source = new Size(150, 100);

        assertThat(RenditionGeometry.subsampling(source, plans(source, ImageRenditions.standardSpecs())))
                .isEqualTo(1);
    }

    @Test
    void subsamplingIsBoundByTheLargestRendition() {
        Size source = new Size(8000, 6000);
        List<RenditionSpec> smallOnly = List.of(new RenditionSpec("small", 200, 200, Mode.FIT));

        assertThat(RenditionGeometry.subsampling(source, plans(source, smallOnly)))
                .isEqualTo(40);
        assertThat(RenditionGeometry.subsampling(source, plans(source, ImageRenditions.standardSpecs())))
                .isEqualTo(4);
    }

    @Test
    void subsampledDecodeIsNeverSmallerThanAnyRendition() {
        Random random = new Random(42);
        for (int run = 0; run < 10_000; run++) {
            Size source = new Size(1 + random.nextInt(20_000), 1 + random.nextInt(20_000));
            List<RenditionSpec> specs = List.of(
                    new RenditionSpec("a", 1 + random.nextInt(3000), 1 + random.nextInt(3000), Mode.FIT),
                    new RenditionSpec("b", 1 + random.nextInt(500), 1 + random.nextInt(500), Mode.COVER));
            List<Plan> plans = plans(source, specs);

            int factor = RenditionGeometry.subsampling(source, plans);

            // an ImageReader subsampling by k yields ceil(n / k) pixels per side
            Size decoded = new Size(ceilDiv(source.width(), factor), ceilDiv(source.height(), factor));
            assertThat(factor).isPositive();
            for (Plan plan : plans) {
                assertThat(decoded.covers(plan.scaled()))
                        .as("%s / %d covers %s", source, factor, plan)
                        .isTrue();
                assertThat(plan.scaled().covers(plan.output())).isTrue();
                assertThat(source.covers(plan.scaled())).isTrue();
            }
        }
    }

    private static List<Plan> plans(Size source, List<RenditionSpec> specs) {
        return specs.stream().map(spec -> RenditionGeometry.plan(source, spec)).toList();
    }

    private static int ceilDiv(int a, int b) {
        return Math.ceilDiv(a, b);
    }
}
