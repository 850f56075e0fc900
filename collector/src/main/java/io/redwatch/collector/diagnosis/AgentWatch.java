package io.redwatch.collector.diagnosis;

import io.redwatch.collector.rules.AgentSilence;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.collector.storage.UnflushedCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * agent_silent: reads every agent's last word from the database (any collector may have heard it)
 * and reports the ones quiet for too many of their own intervals. Silence that is the collector's,
 * not the agent's, does not count: agents whose batches this collector holds unstored (held back by
 * the in-flight budget or in a slow commit) are marked heard in the database first, for every
 * collector to see, and the span before this collector started when none was listening is left out
 * ({@link Outage}). Without that, a database slow for a minute or a collector restart paged for
 * every agent of the fleet. An agent found silent keeps being
 * evaluated for {@link #CHECKS_AFTER_SPEAKING} checks after it speaks again, so that its alert sees
 * the quiet evaluations it needs to resolve; the first check after a start evaluates all, because the
 * collector does not know what an earlier run reported.
 */
public final class AgentWatch {
    private static final String AGENTS =
            "SELECT agent_id, host, last_seen, interval_ms FROM agents WHERE last_seen IS NOT NULL";
    /**
     * Rows a commit holds are skipped: that commit sets last_seen itself. Rows marked in the last 5 s
     * are left alone, so a fleet that is stored in time costs no writes.
     */
    private static final String MARK_HEARD = "UPDATE agents SET last_seen = now() WHERE agent_id IN (SELECT agent_id"
            + " FROM agents WHERE agent_id = ANY (?) AND last_seen < now() - interval '5 seconds'"
            + " ORDER BY agent_id FOR UPDATE SKIP LOCKED)";

    private final DataSource db;
    private final Thresholds thresholds;
    private final FindingsSink sink;
    private final Supplier<Collection<String>> heardNotStored;
    private final Outage outage;
    /** Enough for the alert tracker's recovery (evaluations and period) at one check every 10 s. */
    static final int CHECKS_AFTER_SPEAKING = 12;

    /** Agents still to be evaluated, with how many checks remain; null before the first check. */
    private Map<String, Integer> watching = null;

    private AgentWatch(
            DataSource db,
            Thresholds thresholds,
            FindingsSink sink,
            Supplier<Collection<String>> heardNotStored,
            Outage outage) {
        this.db = db;
        this.thresholds = thresholds;
        this.sink = sink;
        this.heardNotStored = heardNotStored;
        this.outage = outage;
    }

    /**
     * Call before the collector accepts agents: the last word stored before now is where the outage
     * of a restart began.
     *
     * @param heardNotStored agents whose batches this collector has received and not yet stored
     */
    public static AgentWatch open(
            DataSource db, Thresholds thresholds, FindingsSink sink, Supplier<Collection<String>> heardNotStored)
            throws SQLException {
        long startMs = System.currentTimeMillis();
        Outage outage = Outage.NONE;
        try (Connection c = db.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT max(last_seen) FROM agents")) {
            if (rs.next() && rs.getTimestamp(1) != null)
                outage = new Outage(rs.getTimestamp(1).getTime(), startMs);
        }
        return new AgentWatch(db, thresholds, sink, heardNotStored, outage);
    }

    /** Blocking (JDBC): run it on a worker thread. Returns how many agents are silent now. */
    public synchronized int check(long nowMs) throws SQLException {
        boolean first = watching == null;
        if (first) watching = new HashMap<>();
        int silentNow = 0;
        markHeard();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(AGENTS);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String agentId = rs.getString(1);
                String host = rs.getString(2);
                long lastSeen = outage.discounted(rs.getTimestamp(3).getTime());
                Optional<Finding> f = AgentSilence.check(agentId, host, lastSeen, rs.getLong(4), nowMs, thresholds);
                if (f.isPresent()) {
                    silentNow++;
                    watching.put(agentId, CHECKS_AFTER_SPEAKING);
                } else if (!first && !watching.containsKey(agentId)) {
                    continue; // talking, and nothing of it is open: nothing to evaluate
                } else if (watching.merge(agentId, first ? CHECKS_AFTER_SPEAKING : -1, Integer::sum) <= 0) {
                    watching.remove(agentId);
                }
                sink.evaluated(host, host, f.map(List::of).orElse(List.of()), nowMs);
            }
        }
        return silentNow;
    }

    private void markHeard() throws SQLException {
        Collection<String> heard = heardNotStored.get();
        if (heard.isEmpty()) return;
        try (Connection c = db.getConnection()) {
            UnflushedCommit.run(
                    c,
                    tx -> { // a mark lost to a crash costs nothing
                        try (PreparedStatement ps = tx.prepareStatement(MARK_HEARD)) {
                            ps.setArray(1, tx.createArrayOf("text", heard.toArray(new String[0])));
                            return ps.executeUpdate();
                        }
                    });
        }
    }
}
