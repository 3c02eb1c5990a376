package io.chute.realtime;

/**
 * A command submitted to the worker tier: its handler's kind, its JSON, and the W3C traceparent
 * of the request that submitted it (null outside a trace).
 */
record Incoming(String kind, String json, String traceParent) {

    Incoming(String kind, String json) {
        this(kind, json, null);
    }
}
