package io.chute.storage;

import io.chute.common.Sha256;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedUploadPartRequest;

/**
 * Objects in one bucket of any S3 API (AWS S3, MinIO, R2, Ceph). Every transfer streams: reads
 * come straight from the GetObject response, and writes of unknown length go through
 * {@link S3Upload}, whose memory is bounded by the part size. An object becomes visible only
 * once it is complete (a single PutObject, or a completed multipart upload); a failed or
 * oversized write aborts its multipart upload, so nothing is left behind. Signed URLs are S3
 * presigned URLs (SigV4), bound to the key, the method, the expiry and, for PUT, the content
 * type and length. Keys follow the same rule as the filesystem store, so both stores accept the
 * same keys.
 */
public class S3ObjectStore implements ObjectStore, AutoCloseable {

    /** S3's smallest part (except the last one). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
    private static final Pattern KEY =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,7}");
    private static final int TRANSFER_BUFFER = 64 * 1024;
    // why: the sync client holds one pooled connection per open read or running write; SDK default is 50
    private static final int MAX_CONNECTIONS = 200;

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final int partSize;
    private final Path tempDir;
    private final String endpointName;

    /**
     * Where the S3 API is and how to sign for it. An empty {@code url} means AWS itself; an empty
     * {@code accessKey} means the AWS default credential chain.
     */
    public record Endpoint(String url, String region, String accessKey, String secretKey, boolean pathStyle) {}

    /**
     * @param partSize  the part buffer of streaming writes, at least {@link #MIN_PART_SIZE}
     * @param tempDir   where {@link #localFile} puts its copies
     */
    public S3ObjectStore(
            S3Client s3, S3Presigner presigner, String bucket, int partSize, Path tempDir, String endpointName)
            throws IOException {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("The S3 part size must be at least " + MIN_PART_SIZE + " bytes");
        }
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.partSize = partSize;
        this.tempDir = Files.createDirectories(tempDir);
        this.endpointName = endpointName;
    }

    /** Builds the client and the presigner for {@code endpoint}; close the store to release them. */
    public static S3ObjectStore connect(Endpoint endpoint, String bucket, int partSize, Path tempDir)
            throws IOException {
        Region region = Region.of(endpoint.region());
        AwsCredentialsProvider credentials = isBlank(endpoint.accessKey())
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(endpoint.accessKey(), endpoint.secretKey()));
        var client = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(endpoint.pathStyle())
                // why: by default the SDK adds a CRC32 trailer to every PutObject and UploadPart, which turns the body
                // into aws-chunked encoding with a signature per chunk: two more passes over every byte on the request
                // thread. Chute hashes (SHA-256) and verifies every upload itself; over plain HTTP the SDK still signs
                // the whole payload, over HTTPS TLS protects it
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS));
        var presigner = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(endpoint.pathStyle())
                        .build());
        if (!isBlank(endpoint.url())) {
            client.endpointOverride(URI.create(endpoint.url()));
            presigner.endpointOverride(URI.create(endpoint.url()));
        }
        S3Client s3 = client.build();
        S3Presigner signer = presigner.build();
        try {
            String name = isBlank(endpoint.url()) ? "AWS " + region : endpoint.url();
            return new S3ObjectStore(s3, signer, bucket, partSize, tempDir, name);
        } catch (IOException | RuntimeException e) {
            signer.close();
            s3.close();
            throw e;
        }
    }

    /**
     * Creates the bucket when it does not exist, with CORS rules that let browsers PUT and GET
     * through signed URLs from any origin and read the ETag of what they uploaded. A bucket that
     * already exists is left exactly as it is.
     *
     * @return whether the bucket was created
     */
    public boolean createBucketIfMissing() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return false;
        } catch (NoSuchBucketException e) {
            // created below
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("check bucket", bucket, e);
            }
        } catch (SdkException e) {
            throw failure("check bucket", bucket, e);
        }
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException e) {
            return false; // another node created it at the same moment, and sets its rules
        } catch (SdkException e) {
            throw failure("create bucket", bucket, e);
        }
        log.info("Created S3 bucket {} at {}", bucket, endpointName);
        applyCorsRules();
        return true;
    }

    private void applyCorsRules() throws IOException {
        CORSRule rule = CORSRule.builder()
                .allowedOrigins("*")
                .allowedMethods("PUT", "GET")
                .allowedHeaders(
                        "Content-Type", "If-None-Match", "x-amz-checksum-sha256", "x-amz-sdk-checksum-algorithm")
                .exposeHeaders("ETag")
                .maxAgeSeconds(600)
                .build();
        try {
            s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(rule)));
        } catch (S3Exception e) {
            if (e.statusCode() != 501 && !"NotImplemented".equals(errorCode(e))) {
                throw failure("set CORS rules of", bucket, e);
            }
            // why: MinIO and s3proxy set CORS for the whole server, not per bucket; browsers need it to upload
            log.warn(
                    "{} does not take per-bucket CORS rules; browsers can upload to bucket {} only if the server "
                            + "itself allows PUT and GET from their origin, the Content-Type header and exposes ETag",
                    endpointName,
                    bucket);
        } catch (SdkException e) {
            throw failure("set CORS rules of", bucket, e);
        }
    }

    @Override
    public long write(String key, InputStream in, long maxBytes) throws IOException {
        checkKey(key);
        var upload = new S3Upload(s3, bucket, key, null, partSize, maxBytes);
        try {
            byte[] chunk = new byte[TRANSFER_BUFFER];
            for (int n; (n = in.read(chunk)) != -1; ) {
                upload.write(chunk, 0, n);
            }
            return upload.complete();
        } catch (IOException | RuntimeException | Error e) {
            upload.abort(e);
            throw e;
        }
    }

    @Override
    public OutputStream create(String key, String contentType) throws IOException {
        checkKey(key);
        return new UploadStream(new S3Upload(s3, bucket, key, contentType, partSize, Long.MAX_VALUE), key);
    }

    @Override
    public InputStream read(String key) throws IOException {
        checkKey(key);
        try {
            return new AbortOnEarlyClose(s3.getObject(b -> b.bucket(bucket).key(key)), key);
        } catch (SdkException e) {
            if (isNotFound(e)) {
                throw (NoSuchFileException) new NoSuchFileException(key).initCause(e);
            }
            throw failure("read", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        checkKey(key);
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, head.contentLength()));
        } catch (SdkException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw failure("stat", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        checkKey(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public LocalFile localFile(String key) throws IOException {
        Path copy = Files.createTempFile(tempDir, "s3-", ".tmp");
        try (InputStream in = read(key)) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(copy, e);
            throw e;
        }
        return new LocalFile() {
            @Override
            public Path path() {
                return copy;
            }

            @Override
            public void close() throws IOException {
                Files.deleteIfExists(copy);
            }
        };
    }

    /**
     * Content-Type and Content-Length are signed headers: S3 refuses (403) a PUT that sends
     * another type or another length. The returned headers are the ones the client must set
     * itself; Host and Content-Length are left out because every HTTP client sets them (browsers
     * refuse to let a script set them at all). {@code If-None-Match: *} is signed too, so S3 stores one version
     * through the URL and refuses a replay with 412; a declared digest is signed as {@code x-amz-checksum-sha256},
     * which S3 checks against the body (400 BadDigest, nothing stored).
     */
    @Override
    public SignedRequest presignPut(String key, long size, String contentType, String sha256, Duration ttl) {
        checkKey(key);
        PutObjectRequest.Builder put = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(contentType)
                .contentLength(size)
                .ifNoneMatch("*");
        if (sha256 != null) {
            put.checksumSHA256(Sha256.base64(sha256));
        }
        PutObjectRequest request = put.build();
        PresignedPutObjectRequest signed =
                presigner.presignPutObject(b -> b.signatureDuration(ttl).putObjectRequest(request));
        Map<String, String> headers = clientHeaders(signed.signedHeaders());
        headers.putIfAbsent("Content-Type", contentType);
        return new SignedRequest(uri(signed.url()), "PUT", Map.copyOf(headers));
    }

    /** The signed headers a client must send itself: all but Host and Content-Length, which HTTP clients set. */
    private static Map<String, String> clientHeaders(Map<String, List<String>> signedHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : signedHeaders.entrySet()) {
            String name = header.getKey();
            if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")) {
                continue;
            }
            String spelled = name.equalsIgnoreCase("content-type")
                    ? "Content-Type"
                    : name.equalsIgnoreCase("if-none-match") ? "If-None-Match" : name;
            headers.put(spelled, String.join(",", header.getValue()));
        }
        return headers;
    }

    /** S3 cannot add a digest to a presigned GET's answer by itself; {@code sha256} is not used. */
    @Override
    public URI presignGet(String key, String contentType, String downloadName, String sha256, Duration ttl) {
        checkKey(key);
        GetObjectRequest.Builder get = GetObjectRequest.builder().bucket(bucket).key(key);
        if (!isBlank(contentType)) {
            get.responseContentType(contentType);
        }
        // why: the same header value as Chute's own object endpoint, so both stores serve downloads alike
        get.responseContentDisposition(ObjectStore.attachment(downloadName).toString());
        GetObjectRequest request = get.build();
        return uri(presigner
                .presignGetObject(b -> b.signatureDuration(ttl).getObjectRequest(request))
                .url());
    }

    @Override
    public String startMultipart(String key, String contentType) throws IOException {
        checkKey(key);
        try {
            return s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                    .uploadId();
        } catch (SdkException e) {
            throw failure("start a multipart upload of", key, e);
        }
    }

    /** Content-Length is signed, so S3 refuses a part of another size; headers as in {@link #presignPut}. */
    @Override
    public SignedRequest presignPart(
            String key, String multipartId, int partNumber, long size, String sha256, Duration ttl) {
        checkKey(key);
        if (partNumber < 1 || partNumber > MAX_PARTS) {
            throw new IllegalArgumentException("Invalid part number");
        }
        UploadPartRequest.Builder part = UploadPartRequest.builder()
                .bucket(bucket)
                .key(key)
                .uploadId(multipartId)
                .partNumber(partNumber)
                .contentLength(size);
        if (sha256 != null) {
            part.checksumSHA256(Sha256.base64(sha256));
        }
        UploadPartRequest request = part.build();
        PresignedUploadPartRequest signed =
                presigner.presignUploadPart(b -> b.signatureDuration(ttl).uploadPartRequest(request));
        return new SignedRequest(uri(signed.url()), "PUT", Map.copyOf(clientHeaders(signed.signedHeaders())));
    }

    /** Follows ListParts pages (at most 1000 parts each) to the end. */
    @Override
    public List<StoredPart> listParts(String key, String multipartId) throws IOException {
        checkKey(key);
        List<StoredPart> parts = new ArrayList<>();
        try {
            Integer marker = null;
            while (true) {
                Integer from = marker;
                ListPartsResponse page = s3.listParts(
                        b -> b.bucket(bucket).key(key).uploadId(multipartId).partNumberMarker(from));
                for (Part part : page.parts()) {
                    parts.add(new StoredPart(part.partNumber(), part.eTag(), part.size()));
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextPartNumberMarker() == null) {
                    break;
                }
                marker = page.nextPartNumberMarker();
            }
        } catch (NoSuchUploadException e) {
            throw (NoSuchFileException) new NoSuchFileException("multipart upload " + multipartId).initCause(e);
        } catch (SdkException e) {
            if (isNotFound(e)) {
                throw (NoSuchFileException) new NoSuchFileException("multipart upload " + multipartId).initCause(e);
            }
            throw failure("list the parts of", key, e);
        }
        return parts;
    }

    @Override
    public void completeMultipart(String key, String multipartId, List<PartETag> parts) throws IOException {
        checkKey(key);
        FileSystemObjectStore.checkOrder(parts);
        List<CompletedPart> completed = parts.stream()
                .map(p -> CompletedPart.builder()
                        .partNumber(p.partNumber())
                        .eTag("\"" + PartETag.bare(p.etag()) + "\"")
                        .build())
                .toList();
        try {
            s3.completeMultipartUpload(
                    b -> b.bucket(bucket).key(key).uploadId(multipartId).multipartUpload(m -> m.parts(completed)));
        } catch (NoSuchUploadException e) {
            throw (NoSuchFileException) new NoSuchFileException("multipart upload " + multipartId).initCause(e);
        } catch (S3Exception e) {
            String code = errorCode(e);
            if ("InvalidPart".equals(code)
                    || "InvalidPartOrder".equals(code)
                    || "EntityTooSmall".equals(code)
                    || e.statusCode() == 400) {
                throw new PartsMismatchException(
                        "Storage refused the parts: " + (code == null ? e.getMessage() : code));
            }
            if (isNotFound(e)) {
                throw (NoSuchFileException) new NoSuchFileException("multipart upload " + multipartId).initCause(e);
            }
            throw failure("complete the multipart upload of", key, e);
        } catch (SdkException e) {
            throw failure("complete the multipart upload of", key, e);
        }
    }

    @Override
    public void abortMultipart(String key, String multipartId) throws IOException {
        checkKey(key);
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(multipartId));
        } catch (NoSuchUploadException e) {
            // already aborted or completed: nothing to drop
        } catch (SdkException e) {
            if (!isNotFound(e)) {
                throw failure("abort the multipart upload of", key, e);
            }
        }
    }

    @Override
    public String describe() {
        return "s3 bucket " + bucket + " at " + endpointName;
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }

    static IOException failure(String action, String key, SdkException e) {
        return new IOException("S3 could not " + action + " " + key + ": " + e.getMessage(), e);
    }

    private static boolean isNotFound(SdkException e) {
        return e instanceof NoSuchKeyException || (e instanceof S3Exception s3e && s3e.statusCode() == 404);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static void checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("Invalid object key");
        }
    }

    private static URI uri(URL url) {
        try {
            return url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("The SDK signed an invalid URL", e);
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static void deleteQuietly(Path file, Exception cause) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** The stream of {@link #create}: every write goes to the upload; close publishes, a failure aborts. */
    private static final class UploadStream extends OutputStream {
        private final S3Upload upload;
        private final String key;
        private final byte[] one = new byte[1];
        private boolean closed;
        private boolean failed;

        UploadStream(S3Upload upload, String key) {
            this.upload = upload;
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            write(one, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed || failed) {
                throw new IOException("The stream of " + key + " is " + (failed ? "aborted" : "closed"));
            }
            try {
                upload.write(b, off, len);
            } catch (IOException | RuntimeException e) {
                failed = true;
                upload.abort(e);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (failed) {
                return;
            }
            try {
                upload.complete();
            } catch (IOException | RuntimeException e) {
                upload.abort(e);
                throw e;
            }
        }
    }

    /**
     * Closing a GetObject stream before its end would make the HTTP client read the rest of the
     * object to reuse the connection; a reader that wanted the first bytes of a 5 GB file must not
     * download all of it. So an early close aborts the connection instead. SDK errors while
     * reading surface as IOExceptions, like any other read failure.
     */
    private static final class AbortOnEarlyClose extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private final String key;
        private boolean ended;

        AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> response, String key) {
            super(response);
            this.response = response;
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                ended |= b == -1;
                return b;
            } catch (SdkException e) {
                throw failure("read", key, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                ended |= n == -1;
                return n;
            } catch (SdkException e) {
                throw failure("read", key, e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (!ended) {
                    response.abort();
                }
            } finally {
                super.close();
            }
        }
    }
}
