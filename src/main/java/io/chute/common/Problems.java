package io.chute.common;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/** Builds problem+json bodies, also where no Spring MVC handler runs (filters, security). */
public final class Problems {

    private Problems() {}

    public static ProblemDetail of(HttpStatus status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        problem.setType(typeOf(status));
        return problem;
    }

    /**
     * A stable problem type per status, e.g. {@code urn:chute:problem:not-found}. (Spring omits
     * the default {@code about:blank}, and clients rely on {@code type} being present.)
     */
    public static URI typeOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        String slug = known == null
                ? Integer.toString(status.value())
                : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        return URI.create("urn:chute:problem:" + slug);
    }

    /** Writes a minimal problem+json straight to a servlet response. */
    public static void write(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter()
                .write("{\"type\":" + quote(typeOf(status).toString()) + ",\"title\":" + quote(status.getReasonPhrase())
                        + ",\"status\":" + status.value() + ",\"detail\":" + quote(detail) + "}");
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
