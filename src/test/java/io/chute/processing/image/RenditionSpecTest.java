package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.chute.processing.image.RenditionSpec.Mode;
import org.junit.jupiter.api.Test;

class RenditionSpecTest {

    @Test
    void rejectsBlankName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RenditionSpec(" ", 10, 10, Mode.FIT));
        assertThatIllegalArgumentException().isThrownBy(() -> new RenditionSpec(null, 10, 10, Mode.FIT));
    }

    @Test
    void rejectsEmptyOrNegativeBox() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RenditionSpec("r", 0, 10, Mode.FIT));
        assertThatIllegalArgumentException().isThrownBy(() -> new RenditionSpec("r", 10, -1, Mode.COVER));
    }

    @Test
    void rejectsMissingMode() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RenditionSpec("r", 10, 10, null));
    }
}
