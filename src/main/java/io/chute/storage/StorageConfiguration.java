package io.chute.storage;

import io.chute.config.ChuteProperties;
import io.chute.config.ChuteProperties.StorageType;
import io.chute.config.ConditionalOnBackend;
import io.chute.config.Secrets;
import java.io.IOException;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    @Bean
    @ConditionalOnBackend(storage = StorageType.FILESYSTEM)
    FileSystemObjectStore fileSystemObjectStore(ChuteProperties properties) throws IOException {
        byte[] secret = Secrets.load(properties.storage().signingSecret(), properties.dataDir(), "url-signing");
        return new FileSystemObjectStore(properties.dataDir().resolve("objects"), secret, Clock.systemUTC());
    }

    @Bean
    @ConditionalOnBackend(storage = StorageType.S3)
    S3ObjectStore s3ObjectStore(ChuteProperties properties) throws IOException {
        ChuteProperties.S3 s3 = properties.storage().s3();
        var endpoint =
                new S3ObjectStore.Endpoint(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), s3.pathStyle());
        S3ObjectStore store = S3ObjectStore.connect(
                endpoint,
                s3.bucket(),
                Math.toIntExact(s3.partSize().toBytes()),
                properties.dataDir().resolve("tmp"));
        try {
            if (s3.createBucket()) {
                store.createBucketIfMissing();
            }
            return store;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
