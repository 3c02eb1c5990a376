package io.chute.realtime;

import io.chute.common.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * The bus of a single node: routes are bound in memory and events are delivered on one thread,
 * in publication order. A submitted command runs at once on the submitting thread (in its own
 * transaction), so when {@code submit} returns a command that succeeded has its effects committed.
 * A command that fails is delivered again after a pause, as on RabbitMQ, up to {@link #DELIVERY_LIMIT}
 * times; having no broker, this bus keeps it in memory meanwhile, so it is lost if the node stops.
 */
final class LocalEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(LocalEventBus.class);
    /** Attempts at a failing command before it is dropped, as {@code chute.chat-worker}'s delivery limit. */
    static final int DELIVERY_LIMIT = 20;

    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> new Thread(r, "chute-bus-local"));
    private final ScheduledExecutorService redelivery =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "chute-bus-local-redelivery"));
    private final Duration retryPause;
    private volatile Consumer<BusEvent> receiver;
    private volatile IncomingDispatcher incoming;

    LocalEventBus() {
        this(Duration.ofSeconds(1));
    }

    /** A bus that delivers a failed command again after {@code retryPause}. */
    LocalEventBus(Duration retryPause) {
        this.retryPause = retryPause;
    }

    @Override
    public void start(Consumer<BusEvent> receiver) {
        this.receiver = receiver;
    }

    @Override
    public void consumeIncoming(IncomingDispatcher dispatcher) {
        this.incoming = dispatcher;
    }

    @Override
    public void publish(BusEvent event) {
        Consumer<BusEvent> r = receiver;
        if (r != null && bound.contains(event.route().key())) {
            delivery.execute(() -> {
                try {
                    r.accept(event);
                } catch (RuntimeException e) {
                    log.warn("delivering {} to {} failed", event.type(), event.route(), e);
                }
            });
        }
    }

    @Override
    public void bind(Route route) {
        bound.add(route.key());
    }

    @Override
    public void unbind(Route route) {
        bound.remove(route.key());
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> submit(String kind, String orderKey, String json) {
        IncomingDispatcher d = incoming;
        if (d == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "no worker runs on this node to take the command",
                    java.util.Map.of("retryAfterSeconds", 5)));
        }
        run(d, new Incoming(kind, json), 1);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** One delivery of {@code command}; a failure schedules the next, as a nack with requeue would. */
    private void run(IncomingDispatcher dispatcher, Incoming command, int attempt) {
        try {
            dispatcher.dispatch(List.of(command));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (attempt >= DELIVERY_LIMIT) {
                log.warn("command {} failed {} times; dropped", command.kind(), attempt, e);
                return;
            }
            log.warn("command {} failed; it will be delivered again", command.kind(), e);
            try {
                redelivery.schedule(
                        () -> run(dispatcher, command, attempt + 1), retryPause.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                log.warn("command {} not delivered again: the bus is closed", command.kind());
            }
        }
    }

    @Override
    public String transport() {
        return "local";
    }

    @Override
    public void close() {
        delivery.shutdown();
        redelivery.shutdownNow();
    }
}
