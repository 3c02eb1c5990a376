package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', textBlock = """
            C:\\dir\\a.jpg          | a.jpg
            /tmp/a.jpg              | a.jpg
            dir/sub\\a.jpg          | a.jpg
            a.jpg                   | a.jpg
            '  a.jpg  '             | a.jpg
            /tmp/ a.jpg             | a.jpg
            .hidden                 | .hidden
            ...                     | ...
            """)
    void keepsOnlyTheNameAfterTheLastDirectory(String raw, String expected) {
        assertThat(FileNames.clean(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"фото отпуска.jpg", "写真.png", "😀 party.gif", "naïve café.webp", "a b  c.jpg"})
    void keepsUnicodeAndSpaces(String name) {
        assertThat(FileNames.clean(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"<img src=x onerror=alert(1)>.jpg", "\"quoted\" & 'apos'.png", "50%.jpg", "a;b=c.jpg"})
    void keepsMarkupAndPunctuationAsPlainText(String name) {
        assertThat(FileNames.clean(name)).isEqualTo(name);
    }

    @Test
    void keepsTheTextAfterTheLastSlashOfMarkup() {
        // why: a slash in markup is still a directory separator; what is left is plain text, not HTML
        assertThat(FileNames.clean("<img src=x></img>.jpg")).isEqualTo("img>.jpg");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t", "   \n "})
    void refusesAMissingName(String raw) {
        assertRefused(raw, "fileName is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "dir/", "dir\\", "C:\\dir\\", "/", "dir/..", "dir/.", "dir/ . ", "a/.. "})
    void refusesANameThatIsOnlyADirectoryOrDots(String raw) {
        assertRefused(raw, "fileName must name a file");
    }

    @Test
    void acceptsANameOf255Characters() {
        String name = "n".repeat(251) + ".jpg";

        assertThat(FileNames.clean(name)).isEqualTo(name);
    }

    @Test
    void refusesANameOver255Characters() {
        assertRefused("n".repeat(252) + ".jpg", "fileName must be at most 255 characters");
    }

    @Test
    void measuresTheLengthAfterTheDirectoryIsStripped() {
        String name = "n".repeat(251) + ".jpg";

        assertThat(FileNames.clean("/" + "d".repeat(1000) + "/" + name)).isEqualTo(name);
    }

    @Test
    void refusesAnAbsurdlyLongPath() {
        assertThatThrownBy(() -> FileNames.clean("d/".repeat(3000) + "a.jpg"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("fileName ");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a\u0000.jpg",
                "a\n.jpg",
                "a\r\nb.jpg",
                "a\u0007.jpg",
                "a\u001b[31m.jpg",
                "a\u007f.jpg",
                "a\u0085.jpg",
                "a.jpg\u0000",
                "dir\n/a.jpg"
            })
    void refusesControlCharacters(String raw) {
        assertRefused(raw, "fileName must not contain control characters");
    }

    private static void assertRefused(String raw, String message) {
        assertThatThrownBy(() -> FileNames.clean(raw))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(message);
    }
}
