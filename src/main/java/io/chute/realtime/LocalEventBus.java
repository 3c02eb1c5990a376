package io.chute.realtime;

import io.chute.common.ApiException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * The bus of a single node: routes are bound in memory and events are delivered on one thread,
 * in publication order. A submitted command runs at once on the submitting thread (in its own
 * transaction), so when {@code submit} returns the command's effects are committed; a failing
 * command is reported to the submitter as 503 instead of being retried later.
 */
final class LocalEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(LocalEventBus.class);

    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> new Thread(r, "chute-bus-local"));
    private volatile Consumer<BusEvent> receiver;
    private volatile IncomingDispatcher incoming;

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
            return java.util.concurrent.CompletableFuture.failedFuture(new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "no worker runs on this node to take the command", java.util.Map.of("retryAfterSeconds", 5)));
        }
        try {
            d.dispatch(List.of(new Incoming(kind, json)));
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        } catch (ApiException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        } catch (Exception e) {
            log.warn("command {} failed", kind, e);
            return java.util.concurrent.CompletableFuture.failedFuture(new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "the command could not be handled now; try again", java.util.Map.of("retryAfterSeconds", 1)));
        }
    }

    @Override
    public String transport() {
        return "local";
    }

    @Override
    public void close() {
        delivery.shutdown();
    }
}
