package io.chute.upload;

import io.chute.support.Images;
import io.chute.support.TestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Shortcuts for tests of other features that need an uploaded file and its job. */
public final class UploadFlowTestSupport {

    private UploadFlowTestSupport() {}

    /** Waits until the job of a 202 answer is COMPLETED and returns it. */
    public static Map<String, Object> completed(TestClient user, Map<String, Object> accepted) {
        return UploadFlowIT.completedJob(user, accepted);
    }

    /** Uploads {@code jpeg} through the signed lane and returns the 202 body of its complete. */
    public static Map<String, Object> acceptedJob(TestClient user, Path jpeg) {
        return UploadFlowIT.signedUpload(user, jpeg, jpeg.getFileName().toString());
    }

    /** Uploads a small JPEG through the signed lane and returns the 202 body of its complete. */
    public static Map<String, Object> acceptedJob(TestClient user, int port) {
        try {
            Path dir = Files.createTempDirectory("chute-upload-");
            return UploadFlowIT.signedUpload(user, Images.jpeg(dir, 120, 90), "small.jpg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
