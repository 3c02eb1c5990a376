package io.chute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TcpRelay;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestSocket;
import io.chute.support.TestUploads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * RabbitMQ unreachable for one Chute node while its jobs complete, through a relay the test cuts
 * (the machine's RabbitMQ keeps running; the node has its own vhost): the open socket gets every
 * durable event of its user. The events published during the cut never reached the bus, so once
 * RabbitMQ is back the node closes the socket with 4503 and the client resumes with {@code since}
 * from the replay log, as the web client does: compared with the event log, 0 missing.
 */
class BusOutageFaultIT {

    @TempDir
    Path dir;

    @Test
    void anOpenSocketGetsEveryDurableEventPublishedWhileTheBusWasDown() throws Exception {
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create();
                TcpRelay relay = TcpRelay.to("127.0.0.1", 5672)) {
            try (ChuteProcess chute = ChuteProcess.start(
                    dir.resolve("chute.log"),
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--chute.bus.type=rabbitmq",
                    "--spring.rabbitmq.host=127.0.0.1",
                    "--spring.rabbitmq.port=" + relay.port(),
                    "--spring.rabbitmq.virtual-host=" + broker.vhost(),
                    "--chute.data-dir=" + dir.resolve("data"),
                    "--chute.jobs.poll-interval=500ms")) {
                TestClient alice = chute.client().registerNewUser();
                List<TestSocket> sockets = new CopyOnWriteArrayList<>();
                TestSocket first = TestSocket.connect(chute.base(), alice.token(), null);
                sockets.add(first);
                @SuppressWarnings("unchecked")
                String userId = (String)
                        ((Map<String, Object>) first.frames("ready").getFirst().get("data")).get("userId");
                Path photo = Images.jpeg(dir, 320, 240);
                TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, photo));

                relay.cut();
                List<Map<String, Object>> during = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    during.add(TestUploads.acceptedJob(alice, photo));
                }
                for (Map<String, Object> accepted : during) {
                    assertThat(TestUploads.completedJob(alice, accepted)).containsEntry("status", "COMPLETED");
                }
                relay.restore();

                JdbcClient jdbc = JdbcClient.create(database.dataSource());
                List<Long> logged = jdbc.sql("select seq from events where route = ? order by seq")
                        .param("user." + userId)
                        .query(Long.class)
                        .list();
                assertThat(logged)
                        .as("durable events of alice in the replay log")
                        .hasSizeGreaterThanOrEqualTo(12);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            TestSocket current = sockets.getLast();
                            if (current.isClosed()) {
                                assertThat(current.awaitClose(Duration.ofSeconds(1)))
                                        .as("close code")
                                        .isEqualTo(4503);
                                // why: not connect(), which insists on `ready`: the node's two bus connections recover
                                // one after the other, and each asks its sockets to resume, so a socket opened between
                                // the two may be closed with 4503 before its `ready`; the next round opens another
                                Long since = maxSeq(seen(sockets));
                                sockets.add(TestSocket.open(
                                        chute.base(),
                                        "access_token=" + alice.token() + (since == null ? "" : "&since=" + since)));
                            }
                            return seen(sockets).containsAll(logged);
                        });
                assertThat(sockets)
                        .as("sockets: the first, and those the server asked to resume")
                        .hasSizeGreaterThan(1);
                sockets.forEach(TestSocket::close);
            }
        }
    }

    private static Set<Long> seen(List<TestSocket> sockets) {
        Set<Long> seqs = new HashSet<>();
        for (TestSocket socket : sockets) {
            socket.frames().stream()
                    .filter(f -> f.get("seq") != null)
                    .forEach(f -> seqs.add(((Number) f.get("seq")).longValue()));
        }
        return seqs;
    }

    private static Long maxSeq(Set<Long> seqs) {
        return seqs.stream().max(Long::compare).orElse(null);
    }
}
