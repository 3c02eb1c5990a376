package io.chute.common;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, with a 400 problem, a query string that is not valid percent-encoded UTF-8 ({@code ?sig=%zz}) before
 * anything parses it: the container would otherwise fail deep inside parameter parsing, as a 500 with a stack
 * trace per request, even unauthenticated.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class QueryStringFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String query = request.getQueryString();
        if (query != null && !validPercentEncoding(query)) {
            Problems.write(response, HttpStatus.BAD_REQUEST, "The query string is not valid percent-encoded UTF-8");
            return;
        }
        chain.doFilter(request, response);
    }

    // why: no library call checks this without throwing on the first error and decoding '+' as well; this is the same
    // rule
    static boolean validPercentEncoding(String query) {
        byte[] bytes = new byte[query.length()];
        int length = 0;
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (i + 2 >= query.length()
                        || Character.digit(query.charAt(i + 1), 16) < 0
                        || Character.digit(query.charAt(i + 2), 16) < 0) {
                    return false;
                }
                bytes[length++] = (byte)
                        (Character.digit(query.charAt(i + 1), 16) * 16 + Character.digit(query.charAt(i + 2), 16));
                i += 2;
            } else if (c > 0x7f) {
                return false;
            } else {
                bytes[length++] = (byte) c;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
