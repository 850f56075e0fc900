package io.redwatch.collector.alerting.email;

/** Whether the SMTP session upgrades to TLS with STARTTLS: never, when offered, or always (fail otherwise). */
public enum StartTls {
    NONE,
    OPTIONAL,
    REQUIRED
}
