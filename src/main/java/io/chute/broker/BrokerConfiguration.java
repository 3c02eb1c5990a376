package io.chute.broker;

import com.rabbitmq.client.Address;
import io.chute.config.ChuteProperties.BusType;
import io.chute.config.ChuteProperties.QueueType;
import io.chute.config.ConditionalOnBackend;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class BrokerConfiguration {

    /**
     * The client factory Boot configured from {@code spring.rabbitmq.*} (credentials, virtual
     * host, TLS, timeouts) and every configured address; the job queue and the event bus open
     * their own connections.
     */
    @Bean
    @ConditionalOnBackend(queue = QueueType.RABBITMQ, bus = BusType.RABBITMQ)
    RabbitBroker rabbitBroker(CachingConnectionFactory connectionFactory, RabbitConnectionDetails details) {
        return new RabbitBroker(
                connectionFactory.getRabbitConnectionFactory(),
                details.getAddresses().stream()
                        .map(a -> new Address(a.host(), a.port()))
                        .toList());
    }
}
