package io.chute.node;

import io.chute.config.ChuteProperties;
import java.net.InetAddress;
import java.util.UUID;

/**
 * This node's name: {@code chute.realtime.node-id}, or the host name and a random suffix. It names
 * the node's heartbeat, its bus queue ({@code chute.gateway.{nodeId}}) and its job workers (a job's
 * {@code lease_owner} is {@code {nodeId}/{worker}}), so that the jobs of a node that died can be
 * told from the others'.
 */
public record NodeId(String value) {

    public NodeId {
        if (!value.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("a node id holds 1-100 letters, digits, '.', '_' and '-': " + value);
        }
    }

    static NodeId of(ChuteProperties properties) {
        String configured = properties.realtime().nodeId();
        if (!configured.isEmpty()) {
            return new NodeId(configured);
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "");
        } catch (Exception e) {
            host = "node";
        }
        if (host.isEmpty() || host.length() > 80) {
            host = "node";
        }
        // why: a restarted node must not share a name with its former self, whose exclusive bus queue may linger
        // briefly and whose running jobs must be taken back
        return new NodeId(host + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** The node part of a worker id ({@code {nodeId}/{worker}}); what {@code lease_owner} starts with. */
    public String worker(String suffix) {
        return value + "/" + suffix;
    }
}
