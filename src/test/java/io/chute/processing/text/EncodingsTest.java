package io.chute.processing.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodingsTest {

    @TempDir
    Path dir;

    @Test
    void asciiAndValidUtf8AreUtf8() throws IOException {
        assertThat(Encodings.detect(Files.writeString(dir.resolve("a.txt"), "plain")))
                .isEqualTo(StandardCharsets.UTF_8);
        assertThat(Encodings.detect(Files.writeString(dir.resolve("b.txt"), "naïve café ☕")))
                .isEqualTo(StandardCharsets.UTF_8);
    }

    @Test
    void aByteOrderMarkDecidesAndIsNotPartOfTheText() throws IOException {
        Path utf16 = Files.write(dir.resolve("w.txt"), "hello".getBytes(StandardCharsets.UTF_16));
        Path utf8 = Files.write(dir.resolve("u.txt"), new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i'});

        assertThat(Encodings.detect(utf16)).isEqualTo(StandardCharsets.UTF_16);
        assertThat(Encodings.detect(utf8)).isEqualTo(StandardCharsets.UTF_8);
        try (var in = Encodings.open(utf8, StandardCharsets.UTF_8)) {
            assertThat(in.readAllBytes()).containsExactly('h', 'i');
        }
    }

    @Test
    void aUtf8CharacterCutByTheSampleEndIsNotAnError() throws IOException {
        byte[] bytes = ("x".repeat(64 * 1024 - 1) + "é and more").getBytes(StandardCharsets.UTF_8);

        assertThat(Encodings.detect(Files.write(dir.resolve("long.txt"), bytes)))
                .isEqualTo(StandardCharsets.UTF_8);
    }

    @Test
    void nulBytesMeanABinaryFile() throws IOException {
        Path binary = Files.write(dir.resolve("bin.txt"), new byte[] {'a', 0, 'b', 0, 1, 2, 3});

        assertThatThrownBy(() -> Encodings.detect(binary)).isInstanceOf(UnprocessableFileException.class);
    }
}
