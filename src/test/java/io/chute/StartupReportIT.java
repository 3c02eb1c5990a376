package io.chute;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** The start-up line names the backends this node really runs on, RabbitMQ ones included. */
@ExtendWith(OutputCaptureExtension.class)
class StartupReportIT {

    @TempDir
    Path dir;

    @Test
    void aNodeOnRabbitMqSaysSoForItsJobQueueAndItsEventBus(CapturedOutput output) {
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            Map<String, Object> p = onDatabase(database);
            p.put("spring.rabbitmq.host", "127.0.0.1");
            p.put("spring.rabbitmq.virtual-host", broker.vhost());
            p.put("chute.queue.type", "rabbitmq");
            p.put("chute.bus.type", "rabbitmq");
            p.put("chute.roles", "api,gateway");
            try (ConfigurableApplicationContext node = new SpringApplicationBuilder(ChuteApplication.class)
                    .properties(p)
                    .run()) {
                assertThat(readyLine(output))
                        .contains("roles [api, gateway]")
                        .contains("objects filesystem at "
                                + dir.resolve("objects").toAbsolutePath().normalize())
                        .contains("job queue rabbitmq, event bus rabbitmq");
            }
        }
    }

    @Test
    void aNodeOnItsDefaultsSaysPostgresAndLocal(CapturedOutput output) {
        try (TestDatabase database = TestDatabase.create();
                ConfigurableApplicationContext node = new SpringApplicationBuilder(ChuteApplication.class)
                        .properties(onDatabase(database))
                        .run()) {
            assertThat(readyLine(output)).contains("job queue postgres, event bus local");
        }
    }

    private Map<String, Object> onDatabase(TestDatabase database) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("spring.datasource.url", database.jdbcUrl());
        p.put("spring.datasource.username", database.user());
        p.put("chute.data-dir", dir.toString());
        return p;
    }

    private static String readyLine(CapturedOutput output) {
        return output.getOut()
                .lines()
                .filter(l -> l.contains("Chute is ready on port"))
                .findFirst()
                .orElseThrow();
    }
}
