package io.chute.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

/** {@code chute.clamav.*}: off by default, with the documented defaults, and invalid values refused at start. */
class ClamavPropertiesTest {

    @Test
    void scanningIsOffByDefaultWithTheDocumentedDefaults() {
        ChuteProperties.Clamav clamav = bind(Map.of()).clamav();

        assertThat(clamav.enabled()).isFalse();
        assertThat(clamav.host()).isEqualTo("127.0.0.1");
        assertThat(clamav.port()).isEqualTo(3310);
        assertThat(clamav.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(clamav.readTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(clamav.chunkSize()).isEqualTo(DataSize.ofKilobytes(64));
        assertThat(clamav.oversize()).isEqualTo(ChuteProperties.Clamav.Oversize.REFUSE);
    }

    @Test
    void theOversizePolicyIsWrittenAsInTheDocs() {
        assertThat(bind(Map.of("chute.clamav.oversize", "mark-unscanned"))
                        .clamav()
                        .oversize())
                .isEqualTo(ChuteProperties.Clamav.Oversize.MARK_UNSCANNED);
    }

    @Test
    void refusesSettingsThatWouldWaitForeverOrCannotWork() {
        assertThatThrownBy(() -> bind(Map.of("chute.clamav.read-timeout", "0s")))
                .isInstanceOf(BindException.class);
        assertThatThrownBy(() -> bind(Map.of("chute.clamav.port", "0"))).isInstanceOf(BindException.class);
        assertThatThrownBy(() -> bind(Map.of("chute.clamav.chunk-size", "0B"))).isInstanceOf(BindException.class);
        assertThatThrownBy(() -> bind(Map.of("chute.clamav.oversize", "ignore")))
                .isInstanceOf(BindException.class);
    }

    private static ChuteProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("chute", ChuteProperties.class);
    }
}
