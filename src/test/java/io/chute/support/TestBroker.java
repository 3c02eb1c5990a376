package io.chute.support;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.chute.broker.RabbitBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fresh virtual host on the machine's RabbitMQ (127.0.0.1:5672 as guest, or
 * {@code CHUTE_TEST_RABBIT_HOST}), created and deleted with {@code rabbitmqctl}, so that test
 * classes never see each other's queues. Unreachable RabbitMQ fails the test: it is never skipped.
 * As {@code @RegisterExtension static final TestBroker broker = TestBroker.create();} it lasts for
 * one test class and is deleted after it.
 */
public final class TestBroker implements AutoCloseable, AfterAllCallback {

    private static final String HOST = System.getenv().getOrDefault("CHUTE_TEST_RABBIT_HOST", "127.0.0.1");
    private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("CHUTE_TEST_RABBIT_PORT", "5672"));
    private static final String USER = "guest";

    private final String vhost;

    private TestBroker(String vhost) {
        this.vhost = vhost;
    }

    public static TestBroker create() {
        String vhost =
                "chute-test-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        rabbitmqctl("add_vhost", vhost);
        rabbitmqctl("set_permissions", "-p", vhost, USER, ".*", ".*", ".*");
        TestBroker broker = new TestBroker(vhost);
        try (Connection c =
                broker.connectionFactory().newConnection(List.of(new Address(HOST, PORT)), "chute-test-probe")) {
            return broker;
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            broker.close();
            throw new IllegalStateException(
                    "The machine's RabbitMQ at " + HOST + ":" + PORT + " is needed for this test: " + e, e);
        }
    }

    public String vhost() {
        return vhost;
    }

    public ConnectionFactory connectionFactory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(HOST);
        f.setPort(PORT);
        f.setUsername(USER);
        f.setPassword(USER);
        f.setVirtualHost(vhost);
        return f;
    }

    public RabbitBroker broker() {
        return new RabbitBroker(connectionFactory(), List.of(new Address(HOST, PORT)));
    }

    /** {@code rabbitmqctl list_queues} of this virtual host with the given columns, one map per queue. */
    public List<Map<String, Object>> listQueues(String... columns) {
        List<String> args = new ArrayList<>(List.of("list_queues", "-q", "-p", vhost));
        args.addAll(List.of(columns));
        args.addAll(List.of("--formatter", "json"));
        String json = rabbitmqctl(args.toArray(String[]::new));
        return JsonMapper.builder().build().readValue(json, new TypeReference<List<Map<String, Object>>>() {});
    }

    /** The routing keys bound from {@code exchange} to {@code queue} in this virtual host, now. */
    public List<String> bindings(String exchange, String queue) {
        String json = rabbitmqctl(
                "list_bindings",
                "-q",
                "-p",
                vhost,
                "source_name",
                "destination_name",
                "routing_key",
                "--formatter",
                "json");
        return JsonMapper.builder().build().readValue(json, new TypeReference<List<Map<String, Object>>>() {}).stream()
                .filter(b -> exchange.equals(b.get("source_name")) && queue.equals(b.get("destination_name")))
                .map(b -> String.valueOf(b.get("routing_key")))
                .toList();
    }

    /** Stops the RabbitMQ application (the Erlang node stays up): every connection drops, nothing is accepted. */
    public static void stopApp() {
        rabbitmqctl("stop_app");
    }

    public static void startApp() {
        rabbitmqctl("start_app");
        rabbitmqctl("await_startup");
    }

    @Override
    public void close() {
        rabbitmqctl("delete_vhost", vhost);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Runs {@code rabbitmqctl} with {@code args}; its standard output, or an exception saying why it failed. */
    public static String rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue()
                        + "); the machine's RabbitMQ is needed for this test:\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl is needed for this test: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
