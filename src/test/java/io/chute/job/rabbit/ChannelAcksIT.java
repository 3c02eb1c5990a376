package io.chute.job.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.chute.support.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Settling a consumer channel's deliveries on the machine's RabbitMQ, as the broker counts them. */
class ChannelAcksIT {

    @RegisterExtension
    static final TestBroker broker = TestBroker.create();

    @Test
    void settlementsFromManyThreadsLeaveNothingUnacknowledgedAndTheChannelOpen() throws Exception {
        try (Connection c = broker.connectionFactory().newConnection()) {
            Channel ch = c.createChannel();
            List<Long> tags = consume(ch, "acks-many", 200);
            ChannelAcks acks = new ChannelAcks(ch, "test");
            tags.forEach(acks::delivered);
            long requeued = tags.get(57);
            long rejected = tags.get(120);
            ExecutorService threads = Executors.newFixedThreadPool(16);
            for (long tag : tags) {
                threads.execute(() -> {
                    if (tag == requeued) {
                        acks.requeue(tag);
                    } else if (tag == rejected) {
                        acks.reject(tag);
                    } else {
                        acks.ack(tag);
                    }
                });
            }
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(counts("acks-many"))
                            .containsEntry("messages_unacknowledged", 0L)
                            .containsEntry("messages_ready", 1L));
            assertThat(ch.isOpen()).as("no tag was settled twice").isTrue();
        }
    }

    @Test
    void anOlderUnsettledDeliveryHoldsBackNoAcknowledgement() throws Exception {
        try (Connection c = broker.connectionFactory().newConnection()) {
            Channel ch = c.createChannel();
            List<Long> tags = consume(ch, "acks-held", 10);
            ChannelAcks acks = new ChannelAcks(ch, "test");
            tags.forEach(acks::delivered);

            // the oldest delivery's job is still running; the others finish
            tags.subList(1, tags.size()).forEach(acks::ack);

            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(counts("acks-held")).containsEntry("messages_unacknowledged", 1L));
            acks.ack(tags.getFirst());
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(counts("acks-held")).containsEntry("messages_unacknowledged", 0L));
            assertThat(ch.isOpen()).isTrue();
        }
    }

    /**
     * Publishes {@code n} messages to a fresh quorum queue and takes them all, unacknowledged, with
     * a consumer cancelled once it has them: their tags.
     */
    private static List<Long> consume(Channel ch, String queue, int n) throws Exception {
        ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        ch.confirmSelect();
        for (int i = 0; i < n; i++) {
            ch.basicPublish("", queue, null, ("m" + i).getBytes(StandardCharsets.US_ASCII));
        }
        ch.waitForConfirmsOrDie(10_000);
        ch.basicQos(n);
        BlockingQueue<Long> delivered = new LinkedBlockingQueue<>();
        String consumer = ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                delivered.add(envelope.getDeliveryTag());
            }
        });
        List<Long> tags = new CopyOnWriteArrayList<>();
        while (tags.size() < n) {
            Long tag = delivered.poll(10, TimeUnit.SECONDS);
            assertThat(tag).as("delivery %d of %d", tags.size() + 1, n).isNotNull();
            tags.add(tag);
        }
        // why: a message given back must wait in the queue, not come straight back to this consumer
        ch.basicCancel(consumer);
        return tags;
    }

    private static Map<String, Long> counts(String queue) {
        return broker.listQueues("name", "messages_ready", "messages_unacknowledged").stream()
                .filter(q -> queue.equals(q.get("name")))
                .findFirst()
                .map(q -> Map.of(
                        "messages_ready", ((Number) q.get("messages_ready")).longValue(),
                        "messages_unacknowledged", ((Number) q.get("messages_unacknowledged")).longValue()))
                .orElseThrow();
    }
}
