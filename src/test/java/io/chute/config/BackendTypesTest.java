package io.chute.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.config.ChuteProperties.BusType;
import io.chute.config.ChuteProperties.QueueType;
import io.chute.config.ChuteProperties.StorageType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code chute.queue.type}, {@code chute.storage.type} and {@code chute.bus.type} are enums: the
 * documented lower-case names pick the adapter, and a typo stops the start naming the property.
 */
class BackendTypesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    ConfigurationPropertiesAutoConfiguration.class, ValidationAutoConfiguration.class))
            .withUserConfiguration(Adapters.class);

    @Test
    void withNothingSetTheZeroConfigBackendsAreUsed() {
        runner.run(context -> {
            assertThat(context)
                    .hasBean("postgresQueue")
                    .hasBean("filesystemStore")
                    .doesNotHaveBean("rabbitQueue")
                    .doesNotHaveBean("s3Store")
                    .doesNotHaveBean("rabbitBroker");
            ChuteProperties properties = context.getBean(ChuteProperties.class);
            assertThat(properties.queue().type()).isEqualTo(QueueType.POSTGRES);
            assertThat(properties.storage().type()).isEqualTo(StorageType.FILESYSTEM);
            assertThat(properties.bus().type()).isEqualTo(BusType.LOCAL);
        });
    }

    @Test
    void theDocumentedLowerCaseNamesPickTheAdapters() {
        runner.withPropertyValues("chute.queue.type=rabbitmq", "chute.storage.type=s3")
                .run(context -> assertThat(context)
                        .hasBean("rabbitQueue")
                        .hasBean("s3Store")
                        .hasBean("rabbitBroker")
                        .doesNotHaveBean("postgresQueue")
                        .doesNotHaveBean("filesystemStore"));
    }

    @Test
    void eitherRabbitMqBackendBringsTheBroker() {
        runner.withPropertyValues("chute.bus.type=rabbitmq")
                .run(context -> assertThat(context).hasBean("rabbitBroker").hasBean("postgresQueue"));
    }

    @Test
    void theRabbitMqPrefetchIsDerivedFromTheJobTimeoutUnlessSetAndBindsFromItsDocumentedName() {
        runner.run(context -> {
            ChuteProperties.Jobs jobs = context.getBean(ChuteProperties.class).jobs();
            assertThat(jobs.rabbitmq().prefetch()).isNull();
            assertThat(jobs.rabbitmq().consumerTimeout()).isEqualTo(Duration.ofMinutes(30));
            // the default 5-minute jobs: 30 / 5 - 2
            assertThat(jobs.rabbitmq().prefetchFor(jobs.timeout())).isEqualTo(4);
        });
        runner.withPropertyValues("chute.jobs.rabbitmq.prefetch=16")
                .run(context -> assertThat(context.getBean(ChuteProperties.class)
                                .jobs()
                                .rabbitmq()
                                .prefetchFor(Duration.ofMinutes(5)))
                        .isEqualTo(16));
        runner.withPropertyValues("chute.jobs.rabbitmq.consumer-timeout=60m")
                .run(context -> assertThat(context.getBean(ChuteProperties.class)
                                .jobs()
                                .rabbitmq()
                                .prefetchFor(Duration.ofMinutes(5)))
                        .isEqualTo(10));
        runner.withPropertyValues("chute.jobs.rabbitmq.prefetch=0")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("chute.jobs.rabbitmq.prefetch"));
    }

    @Test
    void aDerivedPrefetchKeepsTwoJobsSpareWithinTheConsumerTimeoutBetweenOneAndSixteen() {
        ChuteProperties.Jobs.Rabbitmq derived = ChuteProperties.Jobs.Rabbitmq.DEFAULTS;
        assertThat(derived.prefetchFor(Duration.ofSeconds(30))).isEqualTo(16);
        assertThat(derived.prefetchFor(Duration.ofMinutes(1))).isEqualTo(16);
        assertThat(derived.prefetchFor(Duration.ofMinutes(2))).isEqualTo(13);
        assertThat(derived.prefetchFor(Duration.ofMinutes(10))).isEqualTo(1);
        assertThat(derived.prefetchFor(Duration.ofMinutes(15))).isEqualTo(1);
        assertThat(derived.prefetchFor(Duration.ofHours(1))).isEqualTo(1);
        assertThat(ChuteProperties.Jobs.Rabbitmq.withPrefetch(2).prefetchFor(Duration.ofSeconds(1)))
                .isEqualTo(2);
    }

    @Test
    void aMisspeltQueueTypeNamesThePropertyNotAMissingBean() {
        runner.withPropertyValues("chute.queue.type=rabitmq").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("chute.queue.type")
                    .hasStackTraceContaining("rabitmq");
            assertThat(causes(context.getStartupFailure())).noneMatch(NoSuchBeanDefinitionException.class::isInstance);
        });
    }

    @Test
    void misspeltStorageAndBusTypesNameTheirProperties() {
        runner.withPropertyValues("chute.storage.type=s4")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("chute.storage.type"));
        runner.withPropertyValues("chute.bus.type=rabbit")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("chute.bus.type"));
    }

    @Test
    void aMisspeltRoleNamesTheProperty() {
        runner.withPropertyValues("chute.roles=api,wroker")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("chute.roles")
                        .hasStackTraceContaining("must be api, gateway or worker"));
    }

    private static java.util.List<Throwable> causes(Throwable failure) {
        java.util.List<Throwable> causes = new java.util.ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            causes.add(t);
        }
        return causes;
    }

    /** One bean per adapter, conditioned as the real configurations are. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ChuteProperties.class)
    static class Adapters {
        @Bean
        @ConditionalOnBackend(queue = QueueType.POSTGRES)
        String postgresQueue(ChuteProperties properties) {
            return "postgres";
        }

        @Bean
        @ConditionalOnBackend(queue = QueueType.RABBITMQ)
        String rabbitQueue(ChuteProperties properties) {
            return "rabbitmq";
        }

        @Bean
        @ConditionalOnBackend(queue = QueueType.RABBITMQ, bus = BusType.RABBITMQ)
        String rabbitBroker(ChuteProperties properties) {
            return "broker";
        }

        @Bean
        @ConditionalOnBackend(storage = StorageType.FILESYSTEM)
        String filesystemStore(ChuteProperties properties) {
            return "filesystem";
        }

        @Bean
        @ConditionalOnBackend(storage = StorageType.S3)
        String s3Store(ChuteProperties properties) {
            return "s3";
        }
    }
}
