package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.testing.FreshDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log lines of one instance as the operators' view {@code redwatch_log_events} holds them, with
 * the time each was first committed (its dedup key's {@code stored_at}, the transaction's time).
 */
final class StoredLog {
    private static final Pattern SEQ = Pattern.compile("seq=(\\d{7})");
    private static final String ROWS = "SELECT e.raw, e.file_offset, e.file_inode, e.truncated, k.stored_at"
            + " FROM redwatch_log_events e"
            + " JOIN instance_ids i ON i.instance = e.instance"
            + " LEFT JOIN log_line_keys k ON k.instance_id = i.id AND k.file_inode = e.file_inode"
            + " AND k.file_offset = e.file_offset AND k.file_fingerprint = e.file_fingerprint"
            + " WHERE e.instance = ?";

    /** One stored line; {@code seq} is -1 when its text carries none. */
    record Row(int seq, String raw, long fileOffset, long inode, boolean truncated, OffsetDateTime storedAt) {}

    private final FreshDatabase db;
    private final String instance;

    StoredLog(FreshDatabase db, String instance) {
        this.db = db;
        this.instance = instance;
    }

    List<Row> rows() throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(ROWS)) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String raw = rs.getString(1);
                    Matcher m = SEQ.matcher(raw);
                    out.add(new Row(
                            m.find() ? Integer.parseInt(m.group(1)) : -1,
                            raw,
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getBoolean(4),
                            rs.getObject(5, OffsetDateTime.class)));
                }
            }
        }
        return out;
    }

    /** How many rows the view holds for this instance. */
    long count() throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM redwatch_log_events WHERE instance = ?")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The stored rows by sequence number (several rows for one number would be duplicates). */
    Map<Integer, List<Row>> bySeq() throws SQLException {
        Map<Integer, List<Row>> out = new TreeMap<>();
        for (Row r : rows())
            out.computeIfAbsent(r.seq(), k -> new ArrayList<>()).add(r);
        return out;
    }

    /**
     * Every line the test wrote is stored exactly once with its exact text, nothing else is stored,
     * and in order: no line was committed before a line written ahead of it.
     */
    void assertEachLineOnceInOrder(RedisLog log) throws SQLException {
        Map<Integer, List<Row>> bySeq = bySeq();
        int written = log.written();
        List<Integer> missing = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        for (int seq = 1; seq <= written; seq++) {
            List<Row> rows = bySeq.getOrDefault(seq, List.of());
            if (rows.isEmpty()) missing.add(seq);
            if (rows.size() > 1) duplicated.add(seq + "×" + rows.size());
        }
        assertTrue(missing.isEmpty(), missing.size() + " of " + written + " lines never stored, e.g. " + head(missing));
        assertTrue(duplicated.isEmpty(), duplicated.size() + " lines stored more than once: " + head(duplicated));
        List<String> strangers = new ArrayList<>();
        for (Map.Entry<Integer, List<Row>> e : bySeq.entrySet()) {
            if (e.getKey() < 1 || e.getKey() > written) {
                for (Row r : e.getValue())
                    strangers.add(r.raw().length() > 80 ? r.raw().substring(0, 80) + "…" : r.raw());
            }
        }
        assertTrue(
                strangers.isEmpty(),
                "rows that are no line the test wrote (fragments, NUL residue?): " + head(strangers));
        OffsetDateTime previous = null;
        for (int seq = 1; seq <= written; seq++) {
            Row r = bySeq.get(seq).get(0);
            if (!r.truncated()) assertEquals(log.text(seq), r.raw(), "text of line " + seq);
            assertTrue(r.storedAt() != null, "line " + seq + " has no dedup key row");
            if (previous != null) {
                assertTrue(
                        !r.storedAt().isBefore(previous),
                        "line " + seq + " was committed at " + r.storedAt() + ", before line " + (seq - 1) + " ("
                                + previous + "): stored out of order");
            }
            previous = r.storedAt();
        }
    }

    /** For failure messages: how many rows, and which of the written lines are missing, as ranges. */
    String describe(RedisLog log) throws SQLException {
        Map<Integer, List<Row>> bySeq = bySeq();
        StringBuilder missing = new StringBuilder();
        int from = -1;
        int ranges = 0;
        for (int seq = 1; seq <= log.written() + 1; seq++) {
            boolean absent = seq <= log.written() && !bySeq.containsKey(seq);
            if (absent && from < 0) from = seq;
            if (!absent && from > 0) {
                if (ranges++ < 10)
                    missing.append(from == seq - 1 ? "" + from : from + "-" + (seq - 1))
                            .append(' ');
                from = -1;
            }
        }
        return count() + " rows for " + log.written() + " lines written"
                + (ranges == 0 ? "" : "; missing: " + missing.toString().trim() + (ranges > 10 ? " …" : ""));
    }

    private static String head(List<?> list) {
        return list.size() <= 10 ? list.toString() : list.subList(0, 10) + " …";
    }
}
