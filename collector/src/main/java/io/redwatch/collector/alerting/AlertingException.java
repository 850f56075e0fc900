package io.redwatch.collector.alerting;

/** Alerting could not read or write its tables; the message says what and where. */
public final class AlertingException extends RuntimeException {
    public AlertingException(String message, Throwable cause) {
        super(message, cause);
    }
}
