package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.storage.BatchStore.AgentBatch;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Group commit against a real PostgreSQL: many agents per transaction, acknowledged after commit, each once. */
class GroupCommitIT {
    private static TestDatabase db;
    private static BatchStore store;
    private static final long T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS).toEpochMilli();

    @BeforeAll
    static void open() {
        db = TestDatabase.create(GroupCommitIT.class);
        store = new BatchStore(db.dataSource);
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    /** What became of one batch; completes on the committer thread. */
    private static final class Outcome implements GroupCommit.Completion {
        final CompletableFuture<Object> done = new CompletableFuture<>();
        volatile long storedSeqSeenAtCompletion = -1;
        final String agent;

        Outcome(String agent) {
            this.agent = agent;
        }

        @Override
        public void stored(StoreResult result) {
            try {
                // What a second connection sees when the ack would be sent: the commit must be visible.
                storedSeqSeenAtCompletion = new BatchStore(db.dataSource).lastStoredSeq(agent);
            } finally {
                done.complete(result);
            }
        }

        @Override
        public void failed(StoreFailure failure) {
            done.complete(failure);
        }

        Object await() throws Exception {
            return done.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void manyAgentsBatchesShareTransactionsAndAreVisibleBeforeTheirAck() throws Exception {
        int agents = 40;
        int batchesEach = 5;
        try (GroupCommit commits = new GroupCommit(store, UnstorableBatches.KEEP_RETRYING, 2, 100,
                Duration.ofMillis(50), 1000).start()) {
            Map<String, Outcome> last = new ConcurrentHashMap<>();
            for (int seq = 1; seq <= batchesEach; seq++) {
                Outcome[] round = new Outcome[agents];
                for (int a = 0; a < agents; a++) {
                    String agent = "agent-group-" + a;
                    round[a] = new Outcome(agent);
                    assertTrue(commits.submit(new AgentBatch(agent, pings(seq, "10.9.0." + a + ":6379", 3)), round[a]));
                    last.put(agent, round[a]);
                }
                for (int a = 0; a < agents; a++) {
                    Object r = round[a].await();
                    assertEquals(new StoreResult(false, 3), r, "agent " + a + " batch " + seq);
                    assertTrue(round[a].storedSeqSeenAtCompletion >= seq,
                            "batch " + seq + " of agent " + a + " completed before its commit was visible");
                }
            }
            long groups = commits.counters().groups.get();
            assertEquals(agents * batchesEach, commits.counters().groupedBatches.get());
            assertTrue(groups < agents * batchesEach / 4, "batches were not grouped: " + groups + " transactions");
        }
        for (int a = 0; a < agents; a++) {
            assertEquals(batchesEach * 3L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.0." + a + ":6379"));
            assertEquals((long) batchesEach, store.lastStoredSeq("agent-group-" + a));
        }
    }

    @Test
    void aResentBatchInTheSameGroupOrLaterIsStoredOnce() throws Exception {
        String agent = "agent-resend-group";
        String instance = "10.9.1.1:6379";
        Batch b1 = pings(1, instance, 2);
        Batch b2 = pings(2, instance, 2);
        List<StoreResult> results = store.storeTogether(List.of(
                new AgentBatch(agent, b1), new AgentBatch(agent, b1), new AgentBatch(agent, b2), new AgentBatch(agent, b1)));
        assertEquals(List.of(new StoreResult(false, 2), new StoreResult(true, 0), new StoreResult(false, 2),
                new StoreResult(true, 0)), results);
        assertEquals(List.of(new StoreResult(true, 0)), store.storeTogether(List.of(new AgentBatch(agent, b2))));
        assertEquals(4L, count("SELECT count(*) FROM pings WHERE instance = ?", instance));
        assertEquals(2L, store.lastStoredSeq(agent));
        assertEquals(2L, store.registerAgent(agent, "redis-resend", "0.1.0", 10_000), "a hello learns the stored seq");
        assertEquals(0L, store.registerAgent("agent-new-hello", "redis-new", "0.1.0", 10_000));
    }

    @Test
    void aBatchThatCannotBeStoredFailsAloneAndIsReportedOnce() throws Exception {
        AtomicLong reported = new AtomicLong();
        Map<String, StoreFailure> reasons = new ConcurrentHashMap<>();
        UnstorableBatches deadLetters = (batch, failure) -> {
            reported.incrementAndGet();
            reasons.put(batch.agentId(), failure);
            return null; // not set aside: stays unacknowledged
        };
        // A record that names no instance cannot become a row, however often it is sent.
        Batch bad = Batch.newBuilder().setSeq(1).addRecords(Record.newBuilder().setPing(PingResult.newBuilder()
                .setTsMs(T0).setOutcome(PingResult.Outcome.PONG).setReply("PONG"))).build();
        try (GroupCommit commits = new GroupCommit(store, deadLetters, 1, 100, Duration.ofMillis(200), 100).start()) {
            Outcome before = new Outcome("agent-good-1");
            Outcome broken = new Outcome("agent-bad");
            Outcome after = new Outcome("agent-good-2");
            // one committer and a long linger: the three land in one group
            commits.submit(new AgentBatch("agent-good-1", pings(1, "10.9.2.1:6379", 1)), before);
            commits.submit(new AgentBatch("agent-bad", bad), broken);
            commits.submit(new AgentBatch("agent-good-2", pings(1, "10.9.2.2:6379", 1)), after);
            assertEquals(new StoreResult(false, 1), before.await());
            assertEquals(new StoreResult(false, 1), after.await());
            Object failed = broken.await();
            assertTrue(failed instanceof StoreFailure f && f.permanent(), "expected a permanent failure, got " + failed);
            assertEquals(1, commits.counters().groupsRetriedOneByOne.get());
        }
        assertEquals(1, reported.get());
        assertTrue(reasons.get("agent-bad").cause().getMessage().contains("names no instance"),
                reasons.get("agent-bad").cause().getMessage());
        assertEquals(0L, store.lastStoredSeq("agent-bad"), "nothing of the bad batch was stored");
        assertEquals(1L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.2.1:6379"));
        assertEquals(1L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.2.2:6379"));
    }

    @Test
    void aBatchSetAsideByTheUnstorableHandlerIsCompletedAsStored() throws Exception {
        Batch bad = Batch.newBuilder().setSeq(7).addRecords(Record.newBuilder()).build(); // a record with no kind
        UnstorableBatches setAside = (batch, failure) -> new StoreResult(false, 0);
        try (GroupCommit commits = new GroupCommit(store, setAside, 1, 10, Duration.ofMillis(1), 10).start()) {
            Outcome o = new Outcome("agent-dead-letter");
            commits.submit(new AgentBatch("agent-dead-letter", bad), o);
            assertEquals(new StoreResult(false, 0), o.await());
            assertEquals(1, commits.counters().unstorable.get());
        }
    }

    @Test
    void aTransientFailureIsNotPermanent() {
        StoreFailure f = StoreFailure.of(new StorageException("x", new java.sql.SQLTransientConnectionException(
                "redwatch-db - Connection is not available, request timed out after 5000ms.")));
        assertFalse(f.permanent());
        assertTrue(f.connectionLost());
        StoreFailure data = StoreFailure.of(new StorageException("x", new SQLException("value out of range", "22003")));
        assertTrue(data.permanent());
        assertFalse(data.connectionLost());
        assertNull(UnstorableBatches.KEEP_RETRYING.unstorable(null, data));
    }

    private static Batch pings(long seq, String instance, int n) {
        Record[] records = new Record[n];
        for (int i = 0; i < n; i++) {
            records[i] = Records.ping(instance, T0 + seq * 10_000 + i, PingResult.Outcome.PONG, "PONG", 100 + i);
        }
        return Records.batch(seq, records);
    }

    private static long count(String sql, Object... args) throws SQLException {
        return ((Number) Sql.rows(db.dataSource, sql, args).get(0).values().iterator().next()).longValue();
    }
}
