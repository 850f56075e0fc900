package io.redwatch.collector.alerting;

/**
 * At most {@code messages} messages per channel and recipient within {@code perMs}: a storm must
 * not bury a phone. What is over the limit is suppressed and told later in one summary.
 */
public record RateLimit(int messages, long perMs) {

    /** Messages created after this moment count against the limit at {@code nowMs}. */
    public long windowStart(long nowMs) {
        return nowMs - perMs;
    }

    /** Whether one more message may go out, given how many went out within the window. */
    public boolean allows(int sentInWindow) {
        return sentInWindow < messages;
    }
}
