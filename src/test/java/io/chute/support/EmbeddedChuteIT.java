package io.chute.support;

import java.net.URI;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the end-to-end tests: the whole of Chute on its zero-config embedded backends
 * (embedded PostgreSQL, filesystem objects, PostgreSQL job queue) in a fresh data dir, reached
 * over real HTTP. Subclasses share one running instance.
 */
@ChuteIT({"chute.jobs.backoff-base=200ms", "chute.jobs.poll-interval=500ms", "chute.realtime.auth-timeout=2s"})
public abstract class EmbeddedChuteIT {

    @LocalServerPort
    protected int port;

    protected TestClient anonymous() {
        return new TestClient(URI.create("http://localhost:" + port));
    }

    protected TestClient newUser() {
        return anonymous().registerNewUser();
    }
}
