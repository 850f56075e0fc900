package io.redwatch.collector.diagnosis;

import io.redwatch.collector.rules.AgentSilence;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Thresholds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * agent_silent: reads every agent's last word from the database (any collector may have heard it)
 * and reports the ones quiet for too many of their own intervals. An agent found silent keeps being
 * evaluated for {@link #CHECKS_AFTER_SPEAKING} checks after it speaks again, so that its alert sees
 * the quiet evaluations it needs to resolve; the first check after a start evaluates all, because the
 * collector does not know what an earlier run reported.
 */
public final class AgentWatch {
    private static final String AGENTS =
            "SELECT agent_id, host, last_seen, interval_ms FROM agents WHERE last_seen IS NOT NULL";

    private final DataSource db;
    private final Thresholds thresholds;
    private final FindingsSink sink;
    /** Enough for the alert tracker's recovery (evaluations and period) at one check every 10 s. */
    static final int CHECKS_AFTER_SPEAKING = 12;

    /** Agents still to be evaluated, with how many checks remain; null before the first check. */
    private Map<String, Integer> watching = null;

    public AgentWatch(DataSource db, Thresholds thresholds, FindingsSink sink) {
        this.db = db;
        this.thresholds = thresholds;
        this.sink = sink;
    }

    /** Blocking (JDBC): run it on a worker thread. Returns how many agents are silent now. */
    public synchronized int check(long nowMs) throws SQLException {
        boolean first = watching == null;
        if (first) watching = new HashMap<>();
        int silentNow = 0;
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(AGENTS);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String agentId = rs.getString(1);
                String host = rs.getString(2);
                long lastSeen = rs.getTimestamp(3).getTime();
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
}
