package io.redwatch.collector.alerting;

/** A notification the rate limit suppressed and no message has told of yet. */
public record HeldBackNotification(long id, long createdAtMs, String rule, String instance) {}
