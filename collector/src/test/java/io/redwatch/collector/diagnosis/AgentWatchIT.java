package io.redwatch.collector.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.rules.AgentSilence;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.testing.FreshDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * agent_silent against a real PostgreSQL: the collector's own delays (a slow commit, a restart) are
 * not the agents' silence, and an agent silent before a restart stays silent after it.
 */
class AgentWatchIT {
    private FreshDatabase database;
    private HikariDataSource db;
    private final Map<String, Boolean> silent = new ConcurrentHashMap<>();
    private final FindingsSink sink = (instance, host, findings, now) ->
            silent.put(host, findings.stream().map(Finding::rule).anyMatch(AgentSilence.RULE::equals));

    @BeforeEach
    void open() {
        database = FreshDatabase.reserve("rw_agent_watch_it");
        db = Database.open(database.url(), FreshDatabase.USER, "");
    }

    @AfterEach
    void close() {
        db.close();
        database.close();
    }

    @Test
    void anAgentWhoseBatchTheCollectorHoldsIsHeardNotSilent() throws SQLException {
        long now = System.currentTimeMillis();
        agent("held-agent", now - 120_000); // its last batch stored 2 minutes ago: 12 intervals
        agent("gone-agent", now - 120_000);
        agent("talking-agent", now); // stored just now: this collector was not down
        AgentWatch watch = AgentWatch.open(db, Thresholds.defaults(), sink, () -> List.of("held-agent"));

        watch.check(System.currentTimeMillis());

        assertEquals(false, silent.get("held-agent-host"), "its batch waits on the collector: heard");
        assertEquals(true, silent.get("gone-agent-host"), "nothing of it here or in the database: silent");
        assertTrue(System.currentTimeMillis() - lastSeen("held-agent") < 10_000, "marked heard for every collector");
    }

    @Test
    void aRestartDoesNotMakeAgentsSilentButOneSilentBeforeStaysSo() throws SQLException {
        long crash = System.currentTimeMillis() - 180_000; // the last word stored before the collector died
        agent("fine-agent", crash);
        agent("already-silent-agent", crash - 600_000);
        AgentWatch watch = AgentWatch.open(db, Thresholds.defaults(), sink, Set::of);

        watch.check(System.currentTimeMillis());

        assertEquals(false, silent.get("fine-agent-host"), "3 minutes without a collector are not its silence");
        assertEquals(true, silent.get("already-silent-agent-host"));
    }

    private void agent(String id, long lastSeenMs) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO agents (agent_id, host, version, interval_ms,"
                        + " last_seen) VALUES (?, ?, 'test', 10000, to_timestamp(? / 1000.0))")) {
            ps.setString(1, id);
            ps.setString(2, id + "-host");
            ps.setLong(3, lastSeenMs);
            ps.executeUpdate();
        }
    }

    private long lastSeen(String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT last_seen FROM agents WHERE agent_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).getTime();
            }
        }
    }
}
