package io.chute.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

class ProblemHandlerTest {

    private final ProblemHandler handler = new ProblemHandler();

    @Test
    void storageFailingUnderARequestIsA503WithRetryAfterNotA500() {
        ResponseEntity<ProblemDetail> answer = handler.unexpected(
                new UncheckedIOException(new IOException("Connection refused: s3.example:9000")),
                new MockHttpServletRequest("POST", "/api/uploads/1/complete"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        assertThat(answer.getBody().getDetail()).isEqualTo("Storage is unavailable; try again shortly");
    }

    @Test
    void aFailureThatIsNeitherAClientsNorABackendsIsStillA500() {
        ResponseEntity<ProblemDetail> answer =
                handler.unexpected(new IllegalStateException("a bug"), new MockHttpServletRequest("GET", "/api/jobs"));

        assertThat(answer.getStatusCode().value()).isEqualTo(500);
    }
}
