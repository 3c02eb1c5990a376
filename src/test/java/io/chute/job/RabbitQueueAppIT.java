package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteIT;
import io.chute.support.Images;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole of Chute with {@code chute.queue.type=rabbitmq}, wired from {@code spring.rabbitmq.*}
 * to a virtual host of the machine's RabbitMQ: photos uploaded over HTTP are processed through
 * the broker.
 */
@ChuteIT({
    "chute.queue.type=rabbitmq",
    "spring.rabbitmq.host=127.0.0.1",
    "chute.jobs.backoff-base=200ms",
    "chute.jobs.poll-interval=500ms"
})
@DirtiesContext
class RabbitQueueAppIT {

    static final TestBroker broker = TestBroker.create();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void rabbitQueue(DynamicPropertyRegistry registry) throws Exception {
        registry.add("spring.rabbitmq.virtual-host", broker::vhost);
    }

    /** Deletes the virtual host once Chute's workers and relay have stopped and closed their connections. */
    @TestConfiguration(proxyBeanMethods = false)
    static class DeleteTheVirtualHostLast {

        @Bean
        SmartLifecycle virtualHostCleanUp() {
            return new SmartLifecycle() {
                private volatile boolean running;

                @Override
                public void start() {
                    running = true;
                }

                @Override
                public void stop() {
                    running = false;
                    broker.close();
                }

                @Override
                public boolean isRunning() {
                    return running;
                }

                @Override
                public int getPhase() {
                    return Integer.MIN_VALUE; // stops after every other lifecycle
                }
            };
        }
    }

    @Test
    void uploadedPhotosAreProcessedThroughRabbitMq() throws Exception {
        Path dir = Files.createTempDirectory("chute-images-");
        TestClient user = new TestClient(URI.create("http://localhost:" + port)).registerNewUser();

        List<String> statusUrls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statusUrls.add((String)
                    TestUploads.acceptedJob(user, Images.jpeg(dir, 320, 240)).get("statusUrl"));
        }

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> statusUrls.stream()
                        .allMatch(url -> "COMPLETED".equals(user.get(url).json().get("status"))));
        Map<String, Object> job = user.get(statusUrls.getFirst()).json();
        assertThat(job.get("outputs"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKeys("thumbnail", "medium", "large");
        assertThat(broker.listQueues("name", "type"))
                .anySatisfy(q ->
                        assertThat(q).containsEntry("name", "chute.jobs.image").containsEntry("type", "quorum"));
        assertThat(user.get("/actuator/health").json()).containsEntry("status", "UP");
    }
}
