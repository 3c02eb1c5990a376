package io.chute.storage;

import io.chute.config.ChuteProperties;
import io.chute.config.Secrets;
import java.io.IOException;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    @Bean
    @ConditionalOnProperty(name = "chute.storage.type", havingValue = "filesystem", matchIfMissing = true)
    FileSystemObjectStore fileSystemObjectStore(ChuteProperties properties) throws IOException {
        byte[] secret = Secrets.load(properties.storage().signingSecret(), properties.dataDir(), "url-signing");
        return new FileSystemObjectStore(properties.dataDir().resolve("objects"), secret, Clock.systemUTC());
    }
}
