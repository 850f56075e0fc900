package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under a running collector. Stopping the machine's PostgreSQL would break
 * every other test, so the collector reaches it through a {@link TcpProxy} that the test cuts:
 * every connection is closed and new ones are refused, as when the database host is gone.
 */
class DatabaseOutageIT extends FaultTest {
    private static final Logger LOG = Logger.getLogger(DatabaseOutageIT.class.getName());

    /**
     * Issue case 4: the database is unreachable for a minute while lines keep coming. Meanwhile
     * nothing is acknowledged (the agent's saved position names only stored lines) and every
     * {@code /health} probe gets 503 with the reason within 10 s; afterwards the same collector process,
     * never restarted, answers 200 again and every line is stored once, in order.
     */
    @Test
    void databaseUnreachableForAMinute() throws Exception {
        TcpProxy proxy = rig.closeLater(new TcpProxy("127.0.0.1", 5432));
        String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.name();
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        CollectorProcess collector = rig.collector("collector", viaProxy, null).start();
        long pid = collector.pid();
        AgentProcess agent =
                rig.agent("agent-db-outage", collector, redis, log.path()).start();
        StoredLog stored = new StoredLog(db, Rig.instanceOf(redis));

        try (LineFeeder feeder =
                new LineFeeder(log, 1_000_000, 20, 250)) { // 80 lines a second until the end of the outage
            Await.until("lines stored", Duration.ofSeconds(30), () -> stored.count() >= 200, stored::count);
            assertEquals(200, collector.health(Duration.ofSeconds(10)).status());

            proxy.cut();
            long cutAt = System.nanoTime();
            JavaProcess.sleep(500); // a COMMIT forwarded just before the cut may still land
            long storedAtCut = stored.count();
            CollectorProcess.Health h = awaitHealth(collector, 503, Duration.ofSeconds(30));
            long answeredInMs = (System.nanoTime() - cutAt) / 1_000_000;
            assertTrue(h.body().contains("\"reason\"") && h.body().contains("database"), h.body());
            LOG.info("/health answered 503 " + answeredInMs + " ms after the cut: " + h.body());

            // Every probe during the outage gets its 503 in time (a load balancer's probe gives up after seconds).
            int probes = 0;
            while ((System.nanoTime() - cutAt) / 1_000_000 < 60_000) {
                long asked = System.nanoTime();
                CollectorProcess.Health during = collector.health(Duration.ofSeconds(10));
                long tookMs = (System.nanoTime() - asked) / 1_000_000;
                assertEquals(
                        503,
                        during.status(),
                        "probe " + (++probes) + " during the outage, after " + tookMs + " ms: " + during.body());
                JavaProcess.sleep(Math.max(0, Math.min(4_000, 60_000 - (System.nanoTime() - cutAt) / 1_000_000)));
            }
            assertEquals(storedAtCut, stored.count(), "nothing can be stored while the database is unreachable");
            assertSavedPositionNamesOnlyStoredLines(agent, log, stored);

            proxy.restore();
            feeder.close();
            int total = log.written();
            awaitHealth(collector, 200, Duration.ofSeconds(30));
            Await.until(
                    "all " + total + " lines stored",
                    Duration.ofSeconds(90),
                    () -> stored.count() >= total,
                    stored::count);
        }
        stored.assertEachLineOnceInOrder(log);
        assertTrue(collector.isAlive(), "the collector recovered by itself");
        assertEquals(pid, collector.pid(), "the same collector process");
        assertTrue(agent.isAlive());
    }

    /** Polls /health (each request may wait 10 s) until it answers {@code status}. */
    private static CollectorProcess.Health awaitHealth(CollectorProcess c, int status, Duration timeout) {
        CollectorProcess.Health[] last = {null};
        return Await.value(
                "/health answering " + status,
                timeout,
                () -> {
                    last[0] = c.health(Duration.ofSeconds(10));
                    return last[0].status() == status ? last[0] : null;
                },
                () -> last[0] == null ? "" : last[0].status() + " " + last[0].body());
    }

    private static void assertSavedPositionNamesOnlyStoredLines(AgentProcess agent, RedisLog log, StoredLog stored)
            throws Exception {
        Optional<AgentProcess.SavedPosition> saved = agent.savedPosition();
        assertTrue(saved.isPresent(), "the agent saved a position before the outage");
        Set<Integer> inDatabase = stored.bySeq().keySet();
        for (int seq = 1; seq <= log.written(); seq++) {
            RedisLog.Span s = log.span(seq);
            if (s.inode() == saved.get().inode() && s.end() <= saved.get().offset()) {
                assertTrue(
                        inDatabase.contains(seq),
                        "the agent saved offset " + saved.get().offset() + " during the outage," + " past line " + seq
                                + ", which is not stored: something was acknowledged that was not committed");
            }
        }
    }
}
