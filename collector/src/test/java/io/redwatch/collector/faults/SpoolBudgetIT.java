package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Issue case 5: the collector is unreachable for a long time while the log floods, and the agent's
 * disk spool has a small budget. Checked only from outside, so it holds whatever the spool's
 * internals: the agent's resident memory stays flat (the backlog is on disk or dropped, not in the
 * heap), and what did not fit is an explicit row in {@code redwatch_gaps}, never a silent hole.
 *
 */
class SpoolBudgetIT extends FaultTest {
    private static final Logger LOG = Logger.getLogger(SpoolBudgetIT.class.getName());
    /** agent.yaml line setting a small spool budget (4 MiB). */
    static final String SPOOL_BUDGET = "spool_max_bytes: 4MB\n";
    /** How much RSS may grow while ~65 MB of log pile up behind an unreachable collector. */
    static final long FLAT_RSS_SLACK_BYTES = 24L << 20;

    @Test
    void collectorUnreachableWithASmallSpoolBudgetMemoryStaysFlatAndTheOverflowIsAGap() throws Exception {
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        Path agentYaml = rig.dir().resolve("agent.yaml");
        Files.writeString(agentYaml, SPOOL_BUDGET);
        CollectorProcess collector = rig.collector("collector", db.url(), null); // its port stays unanswered for now
        AgentProcess agent = rig.agent(
                        "agent-spool",
                        collector,
                        redis,
                        log.path(),
                        agentYaml,
                        // the systemd unit's own flags (a 32 MB heap), so RSS is what production sees
                        UnitFlags.of("redwatch-agent.service", rig.logDir()))
                .start();

        // Warm up: code loaded, buffers sized, a first backlog already over the budget.
        log.append(20_000);
        JavaProcess.sleep(10_000);
        long baseline = 0;
        for (int i = 0; i < 3; i++) {
            baseline = Math.max(baseline, agent.rssBytes());
            JavaProcess.sleep(500);
        }
        // ~2 MB of log a second for half a minute (~65 MB, sixteen times the budget), the collector unreachable.
        long peak = baseline;
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            log.append(2_000);
            JavaProcess.sleep(100);
            if (log.written() % 10_000 == 0) peak = Math.max(peak, agent.rssBytes());
        }
        JavaProcess.sleep(3_000);
        peak = Math.max(peak, agent.rssBytes());
        LOG.info("agent RSS " + (baseline >> 20) + " MB after warm-up, peak " + (peak >> 20) + " MB after "
                + log.written() + " lines behind an unreachable collector");
        assertTrue(
                agent.isAlive(),
                "the agent survived the flood" + agent.process().logTail());
        assertTrue(
                peak - baseline < FLAT_RSS_SLACK_BYTES,
                "RSS grew from " + (baseline >> 20) + " MB to " + (peak >> 20) + " MB: the backlog is kept in memory");

        collector.start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));
        Await.until(
                "a gap recorded for what did not fit", Duration.ofSeconds(90), () -> recordsLost(agent.agentId()) > 0);
        int written = log.written();
        Await.until(
                "every line stored or counted lost",
                Duration.ofSeconds(120),
                () -> stored.count() + recordsLost(agent.agentId()) >= written,
                () -> stored.describe(log));
        assertStoredOnceInOrder(stored);
    }

    private static long recordsLost(String agentId) throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT coalesce(sum(records_lost), 0) FROM redwatch_gaps WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            ResultSet rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What was stored is stored once, and never a later line before an earlier one. */
    private static void assertStoredOnceInOrder(StoredLog stored) throws Exception {
        OffsetDateTime previous = null;
        for (Map.Entry<Integer, List<StoredLog.Row>> e : stored.bySeq().entrySet()) {
            assertTrue(
                    e.getValue().size() == 1,
                    "line " + e.getKey() + " stored " + e.getValue().size() + " times");
            OffsetDateTime at = e.getValue().get(0).storedAt();
            assertTrue(
                    previous == null || !at.isBefore(previous),
                    "line " + e.getKey() + " committed before an earlier line");
            previous = at;
        }
    }
}
