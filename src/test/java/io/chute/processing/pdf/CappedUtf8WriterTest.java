package io.chute.processing.pdf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CappedUtf8WriterTest {

    @TempDir
    Path dir;

    @Test
    void writesEverythingUnderTheCap() throws IOException {
        Path file = dir.resolve("out.txt");
        try (CappedUtf8Writer writer = new CappedUtf8Writer(Files.newOutputStream(file), 100)) {
            writer.write("héllo 😀");
            assertThat(writer.capped()).isFalse();
            assertThat(writer.bytes()).isEqualTo(11);
        }

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("héllo 😀");
    }

    @Test
    void stopsExactlyAtTheCapAndRefusesMore() throws IOException {
        Path file = dir.resolve("out.txt");
        try (CappedUtf8Writer writer = new CappedUtf8Writer(Files.newOutputStream(file), 10)) {
            writer.write("abcdef");
            assertThatThrownBy(() -> writer.write("ghijkl")).isInstanceOf(CappedUtf8Writer.CapReached.class);
            assertThatThrownBy(() -> writer.write("m")).isInstanceOf(CappedUtf8Writer.CapReached.class);
            assertThat(writer.capped()).isTrue();
        }

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("abcdefghij");
    }

    /** "aé😀" is 1 + 2 + 4 bytes: every cap inside a character keeps only the characters before it. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void neverSplitsACharacter(int cap) throws IOException {
        Path file = dir.resolve("out.txt");
        try (CappedUtf8Writer writer = new CappedUtf8Writer(Files.newOutputStream(file), cap)) {
            assertThatThrownBy(() -> writer.write("aé😀b")).isInstanceOf(CappedUtf8Writer.CapReached.class);
        }

        String expected = cap < 3 ? "a" : "aé";
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(Files.size(file)).isLessThanOrEqualTo(cap);
    }

    @Test
    void keepsASurrogatePairSplitAcrossTwoWrites() throws IOException {
        Path file = dir.resolve("out.txt");
        String emoji = "😀";
        try (CappedUtf8Writer writer = new CappedUtf8Writer(Files.newOutputStream(file), 5)) {
            writer.write(emoji.charAt(0));
            writer.write(emoji.charAt(1));
            assertThatThrownBy(() -> writer.write("xy")).isInstanceOf(CappedUtf8Writer.CapReached.class);
        }

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(emoji + "x");
    }

    @Test
    void refusesANonPositiveCap() {
        assertThatThrownBy(() -> new CappedUtf8Writer(OutputStream.nullOutputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
