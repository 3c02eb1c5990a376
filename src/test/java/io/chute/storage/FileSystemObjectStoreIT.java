package io.chute.storage;

import io.chute.support.ChuteIT;
import java.net.URI;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The filesystem adapter, inside a running Chute: its signed URLs are served by Chute's own
 * object endpoint ({@link ObjectController}), so that is what the HTTP half of the contract hits.
 */
@ChuteIT
class FileSystemObjectStoreIT extends ObjectStoreContract {

    @LocalServerPort
    private int port;

    @Autowired
    private ObjectStore store;

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected URI reachable(URI signedUrl) {
        return URI.create("http://localhost:" + port).resolve(signedUrl);
    }
}
