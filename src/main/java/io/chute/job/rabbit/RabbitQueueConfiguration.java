package io.chute.job.rabbit;

import io.chute.broker.RabbitBroker;
import io.chute.config.ChuteProperties;
import io.chute.config.ChuteProperties.QueueType;
import io.chute.config.ConditionalOnBackend;
import io.chute.job.JobTracing;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/** RabbitMQ as the job queue: {@code chute.queue.type=rabbitmq}, the broker from {@code spring.rabbitmq.*}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(queue = QueueType.RABBITMQ)
class RabbitQueueConfiguration {

    /** Every node relays, whatever its roles: jobs submitted by an API-only node must reach the broker too. */
    @Bean
    OutboxRelay outboxRelay(
            JobOutbox outbox,
            TransactionTemplate tx,
            RabbitBroker broker,
            ChuteProperties properties,
            JobTracing tracing) {
        return new OutboxRelay(outbox, tx, broker, properties.jobs().pollInterval(), tracing);
    }

    @Bean
    RabbitJobQueue rabbitJobQueue(
            DeliveryClaims claims,
            JobOutbox outbox,
            OutboxRelay relay,
            RabbitBroker broker,
            ChuteProperties properties) {
        return new RabbitJobQueue(claims, outbox, relay, broker, properties.jobs());
    }
}
