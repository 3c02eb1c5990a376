package io.chute.support;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/** A streamed multipart/form-data body with one file part, as a browser form would send it. */
public record Multipart(String contentType, HttpRequest.BodyPublisher body) {

    public static Multipart file(String field, String fileName, String partType, Path file) {
        String boundary = "----chute" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: " + partType + "\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        try {
            return new Multipart(
                    "multipart/form-data; boundary=" + boundary,
                    HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                            HttpRequest.BodyPublishers.ofFile(file),
                            HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8)));
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }
}
