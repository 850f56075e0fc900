package io.redwatch.collector.ingest;

import static io.redwatch.collector.ingest.TrustRig.batch;
import static io.redwatch.collector.ingest.TrustRig.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.collector.testing.WireClient;
import io.redwatch.proto.v1.CollectorMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector behind its database stops reading agents' streams instead of buffering their batches:
 * with the in-flight budget spent on a batch the database is slow to store (its agent's row is held
 * by another transaction, as a long maintenance statement would), another agent's next batch is not
 * read until that batch is committed; then both go on, nothing lost.
 */
class IngestBackpressureIT {
    @TempDir
    static Path dir;

    static TrustRig rig;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void start() throws Exception {
        // One byte: any batch in flight spends the whole budget.
        rig = new TrustRig(dir, "backpressure_it", TrustRig.LIMITS.withInflightBytes(1));
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
    }

    @Test
    void aStreamIsHeldBackWhileTheBudgetIsSpentAndResumesAfterTheCommit() throws Exception {
        long now = System.currentTimeMillis();
        try (WireClient slow = new WireClient(rig.port(), "slow-agent", rig.tokens.create("slow-agent", null));
                WireClient other = new WireClient(rig.port(), "other-agent", rig.tokens.create("other-agent", null))) {
            slow.hello("slow-agent", 1000);
            assertTrue(slow.next().hasWelcome());
            other.hello("other-agent", 1000);
            assertTrue(other.next().hasWelcome());
            try (Connection lock = rig.db.connect()) {
                lock.setAutoCommit(false);
                try (PreparedStatement ps =
                        lock.prepareStatement("SELECT 1 FROM agents WHERE agent_id = 'slow-agent' FOR UPDATE")) {
                    ps.executeQuery().close();
                }
                slow.batch(batch(1, ping("slow-host:6379", now, "PONG slow 1")));
                Await.until(
                        "the slow agent's commit waits for its row",
                        WAIT,
                        () -> rig.count(
                                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
                                > 0);
                // Asked for before the budget was spent: this one batch is read and stored.
                other.batch(batch(1, ping("other-host:6379", now, "PONG other 1")));
                assertEquals(1, other.next().getAck().getSeq());
                other.batch(batch(2, ping("other-host:6379", now + 1, "PONG other 2")));
                Await.until(
                        "the other stream waits for the budget",
                        WAIT,
                        () -> rig.metrics().prometheus().contains("\nredwatch_ingest_streams_held_back 1\n"));
                assertNull(other.received.poll(), "held back: its batch 2 is neither read nor acknowledged");
                assertEquals(0, rig.count("SELECT count(*) FROM pings WHERE reply = 'PONG other 2'"));
                lock.rollback();
            }
            assertEquals(1, slow.next().getAck().getSeq());
            CollectorMessage resumed = other.received.poll(20, TimeUnit.SECONDS);
            assertEquals(2, resumed.getAck().getSeq(), String.valueOf(resumed));
        }
        assertEquals(1, rig.count("SELECT count(*) FROM pings WHERE reply = 'PONG slow 1'"));
        assertEquals(1, rig.count("SELECT count(*) FROM pings WHERE reply = 'PONG other 2'"));
        assertTrue(rig.metrics().prometheus().contains("\nredwatch_ingest_streams_held_back 0\n"));
    }
}
