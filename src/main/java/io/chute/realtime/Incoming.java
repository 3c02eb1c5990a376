package io.chute.realtime;

/** A command submitted to the worker tier: its handler's kind and its JSON. */
record Incoming(String kind, String json) {}
