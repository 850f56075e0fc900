package io.redwatch.collector.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import javax.sql.DataSource;

/**
 * The notification outbox as /metrics shows it, read from PostgreSQL every few seconds by a timer
 * (never by a scrape, so a scraper cannot load the database): pending, sent, failed, the age of
 * the oldest pending notification, and the delay from a notification's creation to its sending.
 * The outbox is shared, so with several collectors each shows the same database-wide values.
 */
public final class OutboxMetrics {
    private static final double[] DELAY_BUCKETS = {1, 5, 10, 30, 60, 120, 300, 900, 3600};
    /** Per sample; a backlog flushed at once is still counted over the following samples. */
    private static final int MAX_SENT_PER_SAMPLE = 10_000;

    private final DataSource db;
    private final Histogram delay = new Histogram(
            "redwatch_alert_dispatch_delay_seconds",
            "from a notification written to the outbox to its sending (group_wait included)",
            DELAY_BUCKETS);
    private volatile long pending;
    private volatile double oldestPendingAgeS;
    private volatile long sent;
    private volatile long failed;
    private volatile long suppressed;
    private volatile long sampleFailures;
    private volatile boolean sampled;
    private OffsetDateTime lastSentSeen;

    public OutboxMetrics(DataSource db) {
        this.db = db;
    }

    /** Blocking (JDBC): runs on the worker pool from a timer. */
    public synchronized void sample() {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE status = 'pending'),"
                            + " coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0),"
                            + " count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed'),"
                            + " count(*) FILTER (WHERE status = 'suppressed') FROM notifications");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                pending = rs.getLong(1);
                oldestPendingAgeS = rs.getDouble(2);
                sent = rs.getLong(3);
                failed = rs.getLong(4);
                suppressed = rs.getLong(5);
            }
            if (lastSentSeen == null) {
                // Start from now: the delays of notifications sent before this collector started are history.
                try (PreparedStatement ps = c.prepareStatement("SELECT now()");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lastSentSeen = rs.getObject(1, OffsetDateTime.class);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT extract(epoch FROM sent_at - created_at), sent_at"
                    + " FROM notifications WHERE status = 'sent' AND sent_at > ? ORDER BY sent_at LIMIT "
                    + MAX_SENT_PER_SAMPLE)) {
                ps.setObject(1, lastSentSeen);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        delay.observe(Math.max(0, rs.getDouble(1)));
                        lastSentSeen = rs.getObject(2, OffsetDateTime.class);
                    }
                }
            }
            sampled = true;
        } catch (SQLException e) {
            sampleFailures++;
            throw new IllegalStateException("cannot read the notification outbox for /metrics: " + e.getMessage(), e);
        }
    }

    public void writeTo(Exposition e) {
        e.single(
                "redwatch_outbox_sample_failures_total",
                "counter",
                "reads of the outbox for these metrics that failed (the values below are then stale)",
                sampleFailures);
        if (!sampled) return; // no made-up zeros before the first read
        e.single("redwatch_outbox_pending", "gauge", "notifications waiting to be sent", pending);
        e.single(
                "redwatch_outbox_oldest_pending_age_seconds",
                "gauge",
                "age of the oldest pending notification (0: none)",
                oldestPendingAgeS);
        e.single("redwatch_outbox_sent_total", "counter", "notifications sent (database-wide)", sent);
        e.single(
                "redwatch_outbox_failed_total",
                "counter",
                "notifications given up after their retries (database-wide)",
                failed);
        e.single(
                "redwatch_outbox_suppressed_total",
                "counter",
                "notifications not sent because of a silence or the rate limit",
                suppressed);
        delay.writeTo(e);
    }
}
