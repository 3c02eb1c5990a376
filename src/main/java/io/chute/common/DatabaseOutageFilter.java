package io.chute.common;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 with {@code Retry-After} when the database cannot be reached by work done in filters,
 * before any controller runs (the bearer token's user is looked up while authenticating): the
 * {@link ProblemHandler} sees only what controllers throw, and the container would answer 500.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class DatabaseOutageFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException e) {
            if (!DatabaseOutages.isUnreachable(e) || response.isCommitted()) {
                throw e;
            }
            DatabaseOutages.failed(request.getMethod() + " " + request.getRequestURI(), e);
            boolean overloaded = DatabaseOutages.isOverloaded(e);
            response.setHeader(
                    HttpHeaders.RETRY_AFTER,
                    String.valueOf(
                            overloaded
                                    ? ProblemHandler.OVERLOAD_RETRY_AFTER_SECONDS
                                    : ProblemHandler.BACKEND_RETRY_AFTER_SECONDS));
            Problems.write(
                    response,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    overloaded ? ProblemHandler.OVERLOADED : "The database is unreachable; try again shortly");
        }
    }
}
