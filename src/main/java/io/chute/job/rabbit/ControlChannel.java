package io.chute.job.rabbit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;

/** The channel for declarations and queue depths; a failed declaration closes it, so it is reopened on demand. */
final class ControlChannel {

    private volatile Channel channel;

    /** Uses {@code opened} from now on (the one the shared topology was declared on). */
    void use(Channel opened) {
        channel = opened;
    }

    Channel on(Connection c) throws IOException {
        Channel ch = channel;
        if (ch == null || !ch.isOpen()) {
            ch = c.createChannel();
            channel = ch;
        }
        return ch;
    }
}
