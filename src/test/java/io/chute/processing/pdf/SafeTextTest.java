package io.chute.processing.pdf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void replacesControlCharactersAndCollapsesWhitespace() {
        assertThat(SafeText.clean("\t Quarterly\u0000\u0000report \n\r 2025 \u00a0", 100))
                .isEqualTo("Quarterly report 2025");
    }

    @Test
    void dropsUnpairedSurrogatesButKeepsPairs() {
        assertThat(SafeText.clean("a\ud800b 😀 \udc00", 100)).isEqualTo("a b 😀");
    }

    @Test
    void cutsToTheLengthWithoutSplittingAPair() {
        assertThat(SafeText.clean("abcd", 3)).isEqualTo("abc");
        assertThat(SafeText.clean("ab😀", 3)).isEqualTo("ab");
        assertThat(SafeText.clean("ab cd", 3)).isEqualTo("ab");
    }

    @Test
    void nothingPrintableIsNull() {
        assertThat(SafeText.clean(null, 10)).isNull();
        assertThat(SafeText.clean(" \u0000\n ", 10)).isNull();
    }
}
