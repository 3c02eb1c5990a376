package io.chute.upload;

import static io.chute.common.InvalidInputException.require;

import io.chute.common.InvalidInputException;
import io.chute.common.Sha256;
import java.util.UUID;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/** The body of {@code POST /api/uploads}: what the client is about to send. */
record UploadRequest(String fileName, Long size, String contentType, UUID channelId, String sha256) {

    UploadRequest(String fileName, Long size, String contentType, UUID channelId) {
        this(fileName, size, contentType, channelId, null);
    }

    UploadRequest {
        sha256 = Sha256.optionalHex(sha256, "sha256");
        fileName = FileNames.clean(fileName);
        require(size != null, "size is required");
        require(size > 0, "size must be greater than 0");
        contentType = InvalidInputException.requireText(contentType, "contentType", 255);
        try {
            MediaType parsed = MediaType.parseMediaType(contentType);
            require(parsed.isConcrete(), "contentType must be a concrete media type such as image/jpeg");
        } catch (InvalidMediaTypeException e) {
            throw new InvalidInputException("contentType is not a valid media type");
        }
    }
}
