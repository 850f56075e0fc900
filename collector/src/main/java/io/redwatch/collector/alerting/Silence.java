package io.redwatch.collector.alerting;

/**
 * Mutes notifications of alerts that match every field it names (rule, instance, host; null
 * matches anything) until it expires. Muted notifications are recorded as suppressed, not dropped.
 */
public record Silence(
        long id, String rule, String instance, String host, long createdAtMs, long expiresAtMs, String comment) {

    public boolean matches(String alertRule, String alertInstance, String alertHost) {
        return (rule == null || rule.equals(alertRule))
                && (instance == null || instance.equals(alertInstance))
                && (host == null || host.equals(alertHost));
    }

    public boolean activeAt(long nowMs) {
        return expiresAtMs > nowMs;
    }
}
