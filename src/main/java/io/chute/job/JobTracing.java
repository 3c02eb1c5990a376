package io.chute.job;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Carries a trace across the job queue: the W3C {@code traceparent} of the request that made a
 * job is kept on its row (and in its RabbitMQ message), and whatever works on the job later, on
 * any node, continues that trace. Tracing is Micrometer Tracing's; without a tracer (or with
 * tracing off) every method runs its work plainly and {@link #current()} is null.
 */
public final class JobTracing {

    /** The W3C header (and job column) name. */
    public static final String TRACEPARENT = "traceparent";

    private static final JobTracing NONE = new JobTracing(Tracer.NOOP, Propagator.NOOP);

    private final Tracer tracer;
    private final Propagator propagator;

    public JobTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    public static JobTracing none() {
        return NONE;
    }

    /** The current span's {@code traceparent}, or null when there is none. */
    public String current() {
        Span span = tracer.currentSpan();
        return span == null ? null : traceparentOf(span.context());
    }

    /** A {@code traceparent} for {@code span}, or null for a no-op span. */
    public String traceparentOf(Span span) {
        return span == null || span.isNoop() ? null : traceparentOf(span.context());
    }

    private String traceparentOf(TraceContext context) {
        Map<String, String> carrier = new HashMap<>();
        propagator.inject(context, carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /**
     * Starts a span named {@code name} continuing {@code traceparent} (a new trace when it is
     * null); the caller ends it. Not put in scope: for work that is not on this thread.
     */
    public Span start(String traceparent, String name) {
        if (traceparent == null) {
            return tracer.nextSpan().name(name).start();
        }
        return propagator
                .extract(Map.of(TRACEPARENT, traceparent), Map::get)
                .name(name)
                .start();
    }

    /** Runs {@code work} in a span named {@code name} that continues {@code traceparent}. */
    public <T> T inSpan(String traceparent, String name, Callable<T> work) throws Exception {
        return inSpan(start(traceparent, name), work);
    }

    /** Runs {@code work} in a child of the current span (e.g. one processing step). */
    public <T> T inChildSpan(String name, Callable<T> work) throws Exception {
        return inSpan(tracer.nextSpan().name(name).start(), work);
    }

    /** As {@link #inChildSpan}, for work that throws nothing checked. */
    public <T> T traced(String name, java.util.function.Supplier<T> work) {
        Span span = tracer.nextSpan().name(name).start();
        try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Runs {@code work} with {@code parent} (taken on another thread) as the current span. */
    public <T> T withParent(Span parent, Callable<T> work) throws Exception {
        try (Tracer.SpanInScope scope = tracer.withSpan(parent)) {
            return work.call();
        }
    }

    /** The current span, to hand to another thread with {@link #withParent}. */
    public Span currentSpan() {
        return tracer.currentSpan();
    }

    private <T> T inSpan(Span span, Callable<T> work) throws Exception {
        try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
            return work.call();
        } catch (Exception | Error e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Ends {@code spans}, e.g. a batch published together. */
    public static void endAll(List<Span> spans) {
        spans.forEach(Span::end);
    }
}
