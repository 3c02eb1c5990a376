package io.chute.node;

import io.chute.common.DatabaseOutages;
import io.chute.config.ChuteProperties;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's heartbeat in the {@code nodes} table, on every node whatever its roles (a worker-only
 * node too): written once before any bean that depends on it starts, then every
 * {@code chute.nodes.dead-after / 5}. Others take the node for dead once its heartbeat is older
 * than {@code chute.nodes.dead-after}: gateways sweep its sockets, workers take back its jobs. A
 * node that stops cleanly removes its row after the beans that depend on it have stopped (its job
 * workers have drained by then).
 */
@Component
public class NodeHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final Nodes nodes;
    private final NodeId node;
    private final Duration deadAfter;
    private final ScheduledExecutorService timer;

    NodeHeartbeat(Nodes nodes, NodeId node, ChuteProperties properties) {
        this.nodes = nodes;
        this.node = node;
        this.deadAfter = properties.nodes().deadAfter();
        beat();
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chute-node-heartbeat").daemon().factory());
        long every = properties.nodes().heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    public NodeId node() {
        return node;
    }

    /** How old a node's heartbeat may be before the others take it for dead. */
    public Duration deadAfter() {
        return deadAfter;
    }

    private void beat() {
        try {
            nodes.heartbeat(node.value());
        } catch (RuntimeException e) {
            DatabaseOutages.report(log, "Node heartbeat", e);
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
        try {
            nodes.forget(node.value());
        } catch (RuntimeException e) {
            log.warn("Could not remove node {}'s heartbeat; the others will take it for dead: {}", node, e.toString());
        }
    }
}
