package io.chute.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every {@code chute.*} setting, with the defaults that make a zero-config start work. The
 * configuration reference in the README lists the same names.
 */
@ConfigurationProperties("chute")
public record ChuteProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue({"api", "gateway", "worker"}) Set<String> roles,
        @DefaultValue List<String> adminUsers,
        @DefaultValue Auth auth,
        @DefaultValue Storage storage,
        @DefaultValue Uploads uploads,
        @DefaultValue Jobs jobs,
        @DefaultValue Processing processing) {

    public boolean runs(String role) {
        return roles.contains(role);
    }

    /** JWT settings; an empty secret means "generate one and keep it under the data dir". */
    public record Auth(@DefaultValue("") String tokenSecret, @DefaultValue("12h") Duration tokenTtl) {}

    public record Storage(
            @DefaultValue("filesystem") String type,
            @DefaultValue("") String signingSecret,
            @DefaultValue("100MB") DataSize multipartThreshold) {}

    public record Uploads(
            @DefaultValue("5GB") DataSize maxSize,
            @DefaultValue("15m") Duration urlTtl,
            @DefaultValue("5m") Duration downloadUrlTtl) {}

    public record Jobs(
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("2s") Duration backoffBase,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("10000") int queueLimit,
            @DefaultValue("2") int workers,
            @DefaultValue("2s") Duration pollInterval,
            @DefaultValue("5m") Duration timeout) {}

    public record Processing(@DefaultValue("100000000") long maxPixels) {}
}
