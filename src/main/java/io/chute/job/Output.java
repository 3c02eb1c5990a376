package io.chute.job;

/** One file a job produced, stored at {@code key}. Width and height are null for non-images. */
public record Output(String key, long size, String contentType, Integer width, Integer height) {}
