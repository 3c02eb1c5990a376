package io.chute.chat;

import io.chute.common.DatabaseOutages;
import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.node.NodeHeartbeat;
import io.chute.realtime.Events;
import io.chute.realtime.Route;
import io.chute.realtime.SocketListener;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Presence across gateway nodes. A user's first socket anywhere makes them online; when their last
 * one closes they go offline after {@code chute.chat.presence-grace}, unless a socket came back
 * meanwhile (a reconnect or a page reload shows nothing). Every node heartbeats ({@code NodeHeartbeat}); a
 * gateway node silent for three {@code chute.chat.presence-heartbeat}s is taken for dead by the others, which sweep its sockets, so presence heals
 * when a node dies. {@code presence} signals go to each interested user once, on their own route.
 */
@Component
@ConditionalOnRole("gateway")
class PresenceTracker implements SocketListener {

    private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);

    private final PresenceStore store;
    private final Events events;
    private final TransactionTemplate tx;
    private final ChuteProperties.Chat config;
    private final Duration deadAfter;
    private ScheduledExecutorService timer;

    PresenceTracker(
            PresenceStore store,
            Events events,
            TransactionTemplate tx,
            ChuteProperties properties,
            // why: the node's heartbeat row exists before the first socket is recorded against it
            NodeHeartbeat heartbeat) {
        this.store = store;
        this.events = events;
        this.tx = tx;
        this.config = properties.chat();
        // why: never sooner than the job engine takes a node for dead, or a live node that heartbeats seldom is swept
        Duration three = config.presenceHeartbeat().multipliedBy(3);
        this.deadAfter = three.compareTo(heartbeat.deadAfter()) >= 0 ? three : heartbeat.deadAfter();
    }

    /** The sweep of dead nodes' sockets, every {@code chute.chat.presence-heartbeat} (the heartbeat is {@code NodeHeartbeat}'s). */
    @PostConstruct
    void start() {
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chute-presence").daemon().factory());
        long beat = config.presenceHeartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::maintain, beat, beat, TimeUnit.MILLISECONDS);
    }

    /** What a {@code presence} signal carries. */
    record PresenceEvent(UUID userId, boolean online, Instant lastSeenAt) {}

    // why: the gateway calls these under its lock; the database work runs on the presence thread, in call order
    @Override
    public void opened(UUID userId, String socketId) {
        timer.execute(() -> quietly(
                "record a socket",
                () -> tx.execute(s -> store.opened(userId, events.nodeId(), socketId))
                        .ifPresent(this::announce)));
    }

    @Override
    public void closed(UUID userId, String socketId) {
        timer.execute(() -> quietly("forget a socket", () -> {
            if (Boolean.TRUE.equals(tx.execute(s -> store.closed(userId, events.nodeId(), socketId)))) {
                // a few milliseconds after the grace, so that the idle time has passed in the database's clock too
                timer.schedule(this::expireIdle, config.presenceGrace().toMillis() + 50, TimeUnit.MILLISECONDS);
            }
        }));
    }

    private static void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // a socket missed here is fixed when it closes, or swept with its node
            DatabaseOutages.report(log, "Presence: " + what, e);
        }
    }

    /** Sweep of dead nodes, and expiry of idle users whose node died before it could expire them. */
    private void maintain() {
        try {
            int swept = store.sweepDeadNodes(deadAfter);
            if (swept > 0) {
                log.info("Swept the sockets of {} users of gateway nodes that stopped heartbeating", swept);
            }
            expireIdle();
        } catch (RuntimeException e) {
            DatabaseOutages.report(log, "Presence maintenance (retrying at the next heartbeat)", e);
        }
    }

    private void expireIdle() {
        try {
            store.expireIdle(config.presenceGrace()).forEach(this::announce);
        } catch (RuntimeException e) {
            log.warn("Could not expire idle users; the next heartbeat will: {}", e.toString());
        }
    }

    private void announce(PresenceStore.Change change) {
        PresenceEvent event = new PresenceEvent(change.userId(), change.online(), change.lastSeenAt());
        for (UUID user : store.audienceOf(change.userId())) {
            events.signal(Route.user(user), "presence", event, null);
        }
    }

    /** A node that stops cleanly hands its sockets over at once instead of waiting to be swept. */
    @PreDestroy
    void stop() {
        timer.shutdownNow();
        try {
            store.closeNode(events.nodeId());
        } catch (RuntimeException e) {
            log.warn("Could not remove this node's sockets; another node will sweep them: {}", e.toString());
        }
    }
}
