package io.chute.processing.scan;

import io.chute.config.ChuteProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says at start whether uploads are scanned for viruses. Off is a WARN, since it is a choice an
 * operator must not make by accident; on, it checks that clamd answers, without failing the start
 * (files wait, RETRYING, until it does).
 */
@Component
class ClamAvStartupReport {

    private static final Logger log = LoggerFactory.getLogger(ClamAvStartupReport.class);

    private final ChuteProperties.Clamav config;
    private final ObjectProvider<ClamAvClient> clamd;

    ClamAvStartupReport(ChuteProperties properties, ObjectProvider<ClamAvClient> clamd) {
        this.config = properties.clamav();
        this.clamd = clamd;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        ClamAvClient client = clamd.getIfAvailable();
        if (!config.enabled() || client == null) {
            log.warn("virus scanning is OFF (chute.clamav.enabled=false): uploaded files are not scanned");
            return;
        }
        try {
            log.info(
                    "Virus scanning with {} ({}); files too large for it: {}",
                    client,
                    client.version(),
                    config.oversize().name().toLowerCase().replace('_', '-'));
        } catch (ClamAvException e) {
            log.warn(
                    "Virus scanning is on but {} does not answer ({}): uploaded files wait, retrying, until it does",
                    client,
                    e.getMessage());
        }
    }
}
