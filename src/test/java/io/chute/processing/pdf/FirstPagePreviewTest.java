package io.chute.processing.pdf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.processing.UnprocessableFileException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirstPagePreviewTest {

    /** PDFBox sizes the image as floor(points * scale): the long side lands exactly on the limit. */
    @ParameterizedTest
    @CsvSource({"595.28, 841.89", "841.89, 595.28", "14400, 14400", "612, 792", "3, 14400", "1000.3, 999.7"})
    void theLongSideFillsThePreviewSizeExactly(float width, float height) {
        float scale = FirstPagePreview.scaleFor(width, height, 1200);

        assertThat((int) Math.floor(Math.max(width, height) * scale)).isEqualTo(1200);
    }

    @ParameterizedTest
    @CsvSource({"252, 144", "100, 100"})
    void aSmallPageIsDrawnAtNoMoreThanTwicePointSize(float width, float height) {
        assertThat(FirstPagePreview.scaleFor(width, height, 1200)).isEqualTo(2f);
    }

    @ParameterizedTest
    @CsvSource({"0, 100", "100, 0", "Infinity, 100", "NaN, 100"})
    void aPageWithoutAreaIsRefused(float width, float height) {
        assertThatThrownBy(() -> FirstPagePreview.scaleFor(width, height, 1200))
                .isInstanceOf(UnprocessableFileException.class);
    }
}
