package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Packs the INFO records of closed 30-minute buckets ({@code info_minutes} into {@code info_buckets},
 * by {@code redwatch_info_close_buckets}), off the commit path. Every instance's bucket ends at the
 * same moment (:00 and :30), and packing one instance's bucket costs PostgreSQL tens of
 * milliseconds: done inside the commits, as it was, a fleet of 5,000 stalled acknowledgements for four
 * minutes twice an hour. Commits only note which instances began a new bucket (or wrote a late record
 * for an old one); {@link #closeDue} packs them later, one instance per statement, on a thread of its
 * own. Until then the records stay in {@code info_minutes}, where readers find them too.
 */
public final class InfoBucketCloser {
    static final long BUCKET_MS = 30 * 60_000L;
    private static final String CLOSE = "SELECT redwatch_info_close_buckets(?, ?)";

    private final DataSource dataSource;
    /** Instance id -> time of its latest INFO record stored (by this collector since it started). */
    private final ConcurrentHashMap<Integer, Long> latest = new ConcurrentHashMap<>();
    /** Instance id -> close its buckets before the one holding this time. */
    private final ConcurrentHashMap<Integer, Long> due = new ConcurrentHashMap<>();

    InfoBucketCloser(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** After a commit: the latest INFO record time per instance in it. */
    void written(Map<Integer, Long> latestRecordMs) {
        latestRecordMs.forEach((id, ts) -> {
            Long before = latest.get(id);
            if (before == null || bucket(before) != bucket(ts)) {
                // a new bucket, a late record for an old one, or the first since the collector started
                long upTo = before == null ? ts : Math.max(before, ts);
                due.merge(id, upTo, Math::max);
            }
            latest.merge(id, ts, Math::max);
        });
    }

    /** Instances waiting to have their earlier buckets packed. */
    public int pending() {
        return due.size();
    }

    /**
     * Packs the due instances' closed buckets, one statement each, until none is due or {@code budgetNanos}
     * has been spent; returns how many instances were done. An instance whose statement fails stays due.
     */
    public int closeDue(long budgetNanos) throws SQLException {
        if (due.isEmpty()) return 0; // most seconds: no connection taken
        long start = System.nanoTime();
        int done = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(CLOSE)) {
            for (Iterator<Map.Entry<Integer, Long>> it = due.entrySet().iterator(); it.hasNext(); ) {
                if (System.nanoTime() - start > budgetNanos) break;
                Map.Entry<Integer, Long> e = it.next();
                long upTo = e.getValue();
                ps.setInt(1, e.getKey());
                ps.setObject(2, OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(upTo), ZoneOffset.UTC));
                ps.executeQuery().close();
                due.remove(e.getKey(), upTo); // unless a later record made it due again meanwhile
                done++;
            }
        }
        return done;
    }

    static long bucket(long tsMs) {
        return Math.floorDiv(tsMs, BUCKET_MS);
    }
}
