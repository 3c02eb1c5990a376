package io.chute.node;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code nodes} table: each live node's last heartbeat. */
@Repository
public class Nodes {

    private final JdbcClient jdbc;

    public Nodes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void heartbeat(String nodeId) {
        jdbc.sql("""
                insert into nodes (node_id, heartbeat_at) values (?, now())
                on conflict (node_id) do update set heartbeat_at = now()""").param(nodeId).update();
    }

    /** A node that stops cleanly leaves at once instead of waiting to be taken for dead. */
    public void forget(String nodeId) {
        jdbc.sql("delete from nodes where node_id = ?").param(nodeId).update();
    }
}
