package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UploadRequestTest {

    private static final UUID CHANNEL = UUID.fromString("0b6f1e0c-3c7e-4d55-9c1b-6a3b2d7e8f90");

    @Test
    void keepsAValidRequest() {
        var request = new UploadRequest("cat.jpg", 1234L, "image/jpeg", CHANNEL);

        assertThat(request.fileName()).isEqualTo("cat.jpg");
        assertThat(request.size()).isEqualTo(1234L);
        assertThat(request.contentType()).isEqualTo("image/jpeg");
        assertThat(request.channelId()).isEqualTo(CHANNEL);
    }

    @Test
    void trimsTheFileNameAndContentType() {
        var request = new UploadRequest("  C:\\photos\\cat.jpg  ", 1L, "  image/jpeg\t", null);

        assertThat(request.fileName()).isEqualTo("cat.jpg");
        assertThat(request.contentType()).isEqualTo("image/jpeg");
    }

    @Test
    void acceptsAContentTypeWithParameters() {
        assertThat(new UploadRequest("a.txt", 1L, "text/plain; charset=utf-8", null).contentType())
                .isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    void acceptsTheLargestSize() {
        assertThat(new UploadRequest("a.bin", Long.MAX_VALUE, "application/octet-stream", null).size())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void refusesAMissingFileName() {
        assertRefused(() -> new UploadRequest(null, 1L, "image/jpeg", null), "fileName is required");
    }

    @Test
    void refusesAFileNameThatIsOnlyADirectory() {
        assertRefused(() -> new UploadRequest("photos/", 1L, "image/jpeg", null), "fileName must name a file");
    }

    @Test
    void refusesAMissingSize() {
        assertRefused(() -> new UploadRequest("a.jpg", null, "image/jpeg", null), "size is required");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void refusesASizeBelowOne(long size) {
        assertRefused(() -> new UploadRequest("a.jpg", size, "image/jpeg", null), "size must be greater than 0");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "\t"})
    void refusesAMissingContentType(String contentType) {
        assertRefused(() -> new UploadRequest("a.jpg", 1L, contentType, null), "contentType is required");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jpeg",
                "image/",
                "/jpeg",
                "image/jpeg/x",
                "image jpeg",
                "image/jp eg",
                "imäge/jpeg",
                "text/plain; charset=nope",
                "text/plain; charset=\"unterminated"
            })
    void refusesAnInvalidContentType(String contentType) {
        assertRefused(() -> new UploadRequest("a.jpg", 1L, contentType, null), "contentType is not a valid media type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"image/*", "*/*", "*"})
    void refusesAWildcardContentType(String contentType) {
        assertRefused(
                () -> new UploadRequest("a.jpg", 1L, contentType, null),
                "contentType must be a concrete media type such as image/jpeg");
    }

    @Test
    void refusesAContentTypeWithControlCharacters() {
        assertRefused(
                () -> new UploadRequest("a.jpg", 1L, "image/jpeg\r\nX-Injected: 1", null),
                "contentType must not contain control characters");
    }

    @Test
    void refusesAContentTypeOver255Characters() {
        assertRefused(
                () -> new UploadRequest("a.jpg", 1L, "image/" + "x".repeat(250), null),
                "contentType must be at most 255 characters");
    }

    private static void assertRefused(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable construction, String message) {
        assertThatThrownBy(construction)
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(message);
    }
}
