package io.chute.broker;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Where RabbitMQ is and how to log in: a client connection factory (credentials, virtual host,
 * TLS, heartbeats, as {@code spring.rabbitmq.*} configured it) and the node addresses to try.
 * Each caller gets its own connection: publishers and consumers apart, so that flow control on
 * a publishing connection never stalls acknowledgements.
 */
public final class RabbitBroker {

    private final ConnectionFactory factory;
    private final List<Address> addresses;

    public RabbitBroker(ConnectionFactory factory, List<Address> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no RabbitMQ address");
        }
        this.factory = factory;
        this.addresses = List.copyOf(addresses);
    }

    /**
     * Opens a connection. With {@code recover}, the client reconnects by itself after a network
     * failure or a broker restart and restores the channels, prefetch settings, declarations and
     * consumers made on it; acknowledgements of deliveries from before the failure are dropped
     * by the client (those deliveries come back from the queue).
     */
    public Connection connect(String name, boolean recover) throws IOException, TimeoutException {
        ConnectionFactory f = factory.clone();
        f.setAutomaticRecoveryEnabled(recover);
        f.setTopologyRecoveryEnabled(recover);
        f.setNetworkRecoveryInterval(1_000);
        return f.newConnection(addresses, name);
    }

    @Override
    public String toString() {
        return addresses + (factory.getVirtualHost().equals("/") ? "" : " vhost " + factory.getVirtualHost());
    }
}
