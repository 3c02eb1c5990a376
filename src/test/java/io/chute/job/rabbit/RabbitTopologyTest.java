package io.chute.job.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class RabbitTopologyTest {

    @Test
    void aChannelClosedByTheBrokerIsARefusal() {
        ShutdownSignalException channelClosed = new ShutdownSignalException(false, false, null, "channel");

        assertThat(RabbitTopology.refused(new IOException(channelClosed))).isTrue();
    }

    @Test
    void aLostConnectionIsNotARefusal() {
        ShutdownSignalException connectionLost = new ShutdownSignalException(true, false, null, "connection");

        assertThat(RabbitTopology.refused(new IOException(connectionLost))).isFalse();
        assertThat(RabbitTopology.refused(new AlreadyClosedException(connectionLost)))
                .isFalse();
        assertThat(RabbitTopology.refused(new IOException(new SocketException("Connection reset"))))
                .isFalse();
    }
}
