package io.chute.job;

import com.rabbitmq.client.Address;
import io.chute.config.ChuteProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class JobConfiguration {

    @Bean
    @ConditionalOnProperty(name = "chute.queue.type", havingValue = "postgres", matchIfMissing = true)
    PostgresJobQueue postgresJobQueue(Jobs jobs, DataSource dataSource, ChuteProperties properties) {
        return new PostgresJobQueue(jobs, dataSource, properties.jobs());
    }

    @Bean
    JobRunner jobRunner(Jobs jobs, List<JobHandler> handlers, ChuteProperties properties, TransactionTemplate tx,
            MeterRegistry meters, JobTracing tracing) {
        return new JobRunner(jobs, handlers, properties.jobs(), tx, new JobMetrics(meters), tracing);
    }

    /** Micrometer Tracing's tracer when tracing is on (see README, Operations), else one that does nothing. */
    @Bean
    JobTracing jobTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new JobTracing(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Bean
    @ConditionalOnExpression("'${chute.roles:api,gateway,worker}'.contains('worker')")
    JobWorker jobWorker(JobQueue queue, JobRunner runner) {
        return new JobWorker(queue, runner);
    }

    /**
     * The client factory Boot configured from {@code spring.rabbitmq.*} (credentials, virtual
     * host, TLS, timeouts) and every configured address; the job queue and the event bus open
     * their own connections.
     */
    @Bean
    @ConditionalOnExpression("'${chute.queue.type:postgres}' == 'rabbitmq' or '${chute.bus.type:local}' == 'rabbitmq'")
    RabbitBroker rabbitBroker(CachingConnectionFactory connectionFactory, RabbitConnectionDetails details) {
        return new RabbitBroker(connectionFactory.getRabbitConnectionFactory(),
                details.getAddresses().stream().map(a -> new Address(a.host(), a.port())).toList());
    }

    /** RabbitMQ as the job queue: {@code chute.queue.type=rabbitmq}, the broker from {@code spring.rabbitmq.*}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "chute.queue.type", havingValue = "rabbitmq")
    static class Rabbit {

        /** Every node relays, whatever its roles: jobs submitted by an API-only node must reach the broker too. */
        @Bean
        OutboxRelay outboxRelay(JobOutbox outbox, TransactionTemplate tx, RabbitBroker broker, ChuteProperties properties,
                JobTracing tracing) {
            return new OutboxRelay(outbox, tx, broker, properties.jobs().pollInterval(), tracing);
        }

        @Bean
        RabbitJobQueue rabbitJobQueue(Jobs jobs, JobOutbox outbox, OutboxRelay relay, RabbitBroker broker,
                ChuteProperties properties) {
            return new RabbitJobQueue(jobs, outbox, relay, broker, properties.jobs());
        }
    }
}
