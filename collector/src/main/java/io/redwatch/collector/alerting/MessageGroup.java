package io.redwatch.collector.alerting;

/**
 * What one message gathers: the pending notifications of one channel and recipient about one
 * host. A message that only summarises what the rate limit held back has no host.
 */
public record MessageGroup(String channel, String recipient, String host) {}
