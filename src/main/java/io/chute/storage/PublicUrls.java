package io.chute.storage;

import java.net.URI;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Makes the store's relative URLs (Chute's own object endpoint) absolute for the current request. */
public final class PublicUrls {

    private PublicUrls() {}

    public static URI absolute(URI url) {
        if (url.isAbsolute() || RequestContextHolder.getRequestAttributes() == null) {
            return url;
        }
        return URI.create(
                ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString() + url);
    }
}
