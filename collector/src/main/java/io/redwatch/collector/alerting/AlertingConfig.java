package io.redwatch.collector.alerting;

import io.redwatch.collector.alerting.email.EmailSettings;
import io.redwatch.collector.alerting.sms.SmsSettings;
import io.redwatch.collector.rules.Severity;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of the alert pipeline (the {@code alerting:} section of collector.yaml, which
 * config's AlertingConfigReader reads): channels (email, sms), routes by severity, and the timing
 * of the pipeline.
 *
 * @param email               null when no email channel is configured
 * @param sms                 null when no SMS channel is configured
 * @param routes              severity → channel names; only configured channels appear
 * @param repeatInterval      a still-firing critical alert is notified again this often
 * @param groupWait           the first notification of a host is held this long, so that what else the host
 *                            reports meanwhile joins it (default 0: the first page leaves at once)
 * @param groupInterval       after a message to a recipient about a host, what follows for that host waits
 *                            until this long after it and goes out as one message (Alertmanager's
 *                            group_interval), so a storm stays a handful of messages
 * @param recoveryEvaluations an alert resolves after being missing from this many evaluations in a row…
 * @param recoveryPeriod      …and for at least this long, so a flapping rule stays one alert
 * @param rateLimitMessages   at most this many messages per channel and recipient…
 * @param rateLimitPer        …within this window; the rest are suppressed and summarised later
 * @param dispatchInterval    how often the dispatcher looks for due notifications
 * @param lease               how long a claimed notification is reserved for its dispatcher
 * @param sendTimeout         the longest one send may take (kept well under the lease)
 * @param maxAttempts         transient failures are retried until this many attempts, then failed
 * @param retryInitial        the first retry delay, doubled after each failure…
 * @param retryMax            …up to this
 * @param timezone            the zone times are shown in (default: the collector's)
 */
public record AlertingConfig(
        EmailSettings email,
        SmsSettings sms,
        Map<Severity, List<String>> routes,
        Duration repeatInterval,
        Duration groupWait,
        Duration groupInterval,
        int recoveryEvaluations,
        Duration recoveryPeriod,
        int rateLimitMessages,
        Duration rateLimitPer,
        Duration dispatchInterval,
        Duration lease,
        Duration sendTimeout,
        int maxAttempts,
        Duration retryInitial,
        Duration retryMax,
        ZoneId timezone) {

    public static final String EMAIL = "email";
    public static final String SMS = "sms";

    public AlertingConfig {
        EnumMap<Severity, List<String>> copy = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) copy.put(s, List.copyOf(routes.getOrDefault(s, List.of())));
        routes = Map.copyOf(copy);
    }

    /** No channels: alerts are tracked and shown, nobody is paged. */
    public static AlertingConfig none() {
        return new AlertingConfig(
                null,
                null,
                defaultRoutes(null, null),
                Duration.ofHours(1),
                Duration.ZERO,
                Duration.ofSeconds(30),
                2,
                Duration.ofSeconds(60),
                10,
                Duration.ofMinutes(10),
                Duration.ofSeconds(2),
                Duration.ofSeconds(120),
                Duration.ofSeconds(30),
                12,
                Duration.ofSeconds(10),
                Duration.ofMinutes(10),
                ZoneId.systemDefault());
    }

    /** critical → [email, sms], warning → [email], info → [], leaving out channels that are not configured. */
    public static Map<Severity, List<String>> defaultRoutes(EmailSettings email, SmsSettings sms) {
        Map<Severity, List<String>> routes = new EnumMap<>(Severity.class);
        routes.put(Severity.CRITICAL, configured(List.of(EMAIL, SMS), email, sms));
        routes.put(Severity.WARNING, configured(List.of(EMAIL), email, sms));
        routes.put(Severity.INFO, List.of());
        return routes;
    }

    private static List<String> configured(List<String> channels, EmailSettings email, SmsSettings sms) {
        List<String> out = new ArrayList<>();
        for (String c : channels) {
            if ((c.equals(EMAIL) && email != null) || (c.equals(SMS) && sms != null)) out.add(c);
        }
        return out;
    }

    /**
     * Refuses settings that cannot work together, with a message naming the key (the reader of
     * collector.yaml reports it as a configuration error).
     */
    public AlertingConfig validate() {
        if (recoveryEvaluations < 1) {
            throw new IllegalArgumentException(
                    "alerting.recovery_evaluations must be at least 1, got " + recoveryEvaluations);
        }
        if (rateLimitMessages < 1) {
            throw new IllegalArgumentException(
                    "alerting.rate_limit.messages must be positive, got " + rateLimitMessages);
        }
        if (maxAttempts < 1)
            throw new IllegalArgumentException("alerting.max_attempts must be at least 1, got " + maxAttempts);
        if (retryMax.compareTo(retryInitial) < 0) {
            throw new IllegalArgumentException(
                    "alerting.retry_backoff.max (" + retryMax + ") must not be below initial (" + retryInitial + ")");
        }
        if (lease.compareTo(sendTimeout.multipliedBy(2)) < 0) {
            // A send still running when the lease ends could be repeated by another collector.
            throw new IllegalArgumentException("alerting.lease (" + lease
                    + ") must be at least twice alerting.send_timeout (" + sendTimeout + ")");
        }
        return this;
    }

    /** The channels a notification of this severity goes to. */
    public List<String> channelsFor(Severity severity) {
        return routes.get(severity);
    }
}
