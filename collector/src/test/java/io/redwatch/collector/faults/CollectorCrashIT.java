package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.faultinjection.CrashPoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The collector dies under a shipping agent (real processes: agent and collector JVMs from the built
 * jars, a real redis-server, PostgreSQL). Whatever the moment, every line the agent read ends up in
 * {@code redwatch_log_events} exactly once and in order.
 */
class CollectorCrashIT extends FaultTest {

    /**
     * Issue case 1: the collector is killed -9 while the agent ships 10,000 lines, and stays down
     * for 30 s while they keep coming. After it is back on the same port, each line is stored once,
     * in order, and the agent needed no restart.
     */
    @Test
    void collectorKilledForThirtySecondsWhileTheAgentShipsTenThousandLines() throws Exception {
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(10);
        CollectorProcess collector = rig.collector("collector", db.url(), null).start();
        AgentProcess agent =
                rig.agent("agent-kill-collector", collector, redis, log.path()).start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));
        Await.until("the first lines stored", Duration.ofSeconds(30), () -> stored.count() >= 10, stored::count);

        // ~1,000 lines a second for ten seconds; the collector dies two seconds in.
        try (LineFeeder feeder = new LineFeeder(log, 10_000, 100, 100)) {
            Await.until("2,000 lines written", Duration.ofSeconds(30), () -> log.written() >= 2_000);
            collector.kill9();
            JavaProcess.sleep(500); // a COMMIT already on the wire may still land; nothing after it can
            long storedAtKill = stored.count();
            JavaProcess.sleep(30_000);
            feeder.awaitDone(Duration.ofSeconds(30));
            assertEquals(storedAtKill, stored.count(), "nothing stored while no collector runs");
            assertTrue(storedAtKill < 10_000, "the kill fell while lines were still to be shipped");

            collector.restart();
            Await.until(
                    "all 10,000 lines stored", Duration.ofSeconds(90), () -> stored.count() >= 10_000, stored::count);
        }
        stored.assertEachLineOnceInOrder(log);
        assertTrue(agent.isAlive(), "the agent rode out the outage");
    }

    /**
     * Issue case 3: the collector dies after committing a batch and before acknowledging it. The
     * honest way to hit that moment is inside the collector: the test-only hook
     * {@code -Dredwatch.test.crashAfterCommit=3} ({@link CrashPoint}) halts its JVM (no shutdown
     * hooks, like kill -9) right after the third new batch is committed. The agent never got that
     * ack; after the restart the collector's Welcome tells it the batch is stored (or, had it
     * resent, the batch would be dropped as a duplicate), so the row count does not change and
     * nothing is stored twice.
     */
    @Test
    void collectorDiesAfterTheCommitBeforeTheAck() throws Exception {
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(500); // so that the first batches carry log lines
        CollectorProcess collector = rig.collector("collector", db.url(), null)
                .withSystemProperties("redwatch.test.crashAfterCommit=3")
                .start();
        AgentProcess agent = rig.agent("agent-crash-after-commit", collector, redis, log.path())
                .start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));

        long storedAtCrash;
        try (LineFeeder feeder = new LineFeeder(log, 3_000, 100, 100)) {
            assertEquals(
                    CrashPoint.EXIT_CODE,
                    collector.awaitExit(Duration.ofSeconds(60)),
                    "the collector halted at the hook" + collector.process().logTail());
            assertTrue(
                    collector.process().log().contains("committed, not acknowledged"),
                    collector.process().logTail());
            storedAtCrash = stored.count();
            long lastSeq = lastStoredSeq(agent.agentId());
            assertEquals(3, lastSeq, "three batches committed, the third never acknowledged");

            assertEquals(storedAtCrash, stored.count(), "nothing stored while no collector runs");
            collector.withSystemProperties().restart();
            feeder.awaitDone(Duration.ofSeconds(60));
            Await.until("all 3,000 lines stored", Duration.ofSeconds(60), () -> stored.count() >= 3_000, stored::count);
        }
        stored.assertEachLineOnceInOrder(log);
        assertFalse(collector.process().log().contains("halting"), "the restarted collector has no hook");
        assertTrue(agent.isAlive());
        assertNoSampleStoredTwice(Rig.instanceOf(redis));
    }

    /** INFO samples and PINGs of the unacknowledged batch are not stored a second time either. */
    private static void assertNoSampleStoredTwice(String instance) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            for (String view : new String[] {"redwatch_info", "redwatch_pings"}) {
                ResultSet rs = s.executeQuery("SELECT count(*) - count(DISTINCT ts), count(*) FROM " + view
                        + " WHERE instance = '" + instance + "'");
                rs.next();
                assertEquals(0, rs.getLong(1), view + ": samples stored twice");
                assertTrue(rs.getLong(2) > 0, view + " has samples");
            }
        }
    }
}
