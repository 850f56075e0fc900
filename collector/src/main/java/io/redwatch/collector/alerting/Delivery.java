package io.redwatch.collector.alerting;

/**
 * What became of one send. Transient failures (server unreachable, timeout, 429, 5xx, SMTP 4xx)
 * are retried with backoff; permanent ones (bad recipient, authentication refused, other 4xx,
 * SMTP 5xx) are recorded as failed at once, because repeating them cannot succeed.
 *
 * @param detail what the server said, for the notification's {@code error} column
 */
public record Delivery(Outcome outcome, String detail) {
    public enum Outcome {
        SENT,
        TRANSIENT,
        PERMANENT
    }

    public static Delivery sent() {
        return new Delivery(Outcome.SENT, "");
    }

    public static Delivery transientFailure(String detail) {
        return new Delivery(Outcome.TRANSIENT, detail);
    }

    public static Delivery permanentFailure(String detail) {
        return new Delivery(Outcome.PERMANENT, detail);
    }
}
