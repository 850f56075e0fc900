package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.storage.BatchStore.GroupOutcome;
import io.redwatch.collector.storage.BatchStore.GroupedBatch;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Group commit against a real PostgreSQL: many agents per transaction, completed after commit, each batch once. */
class GroupCommitIT {
    private static TestDatabase db;
    private static BatchStore store;
    private static final long T0 = Instant.now()
            .truncatedTo(ChronoUnit.SECONDS)
            .minus(1, ChronoUnit.HOURS)
            .toEpochMilli();

    @BeforeAll
    static void open() {
        db = TestDatabase.create(GroupCommitIT.class);
        store = new BatchStore(db.dataSource);
    }

    @AfterAll
    static void drop() throws SQLException {
        db.close();
    }

    @Test
    void manyAgentsBatchesShareTransactionsAndAreVisibleWhenCompleted() throws Exception {
        int agents = 40;
        int batchesEach = 5;
        try (GroupCommit commits = new GroupCommit(store, 2, 100, Duration.ofMillis(50), 1000).start()) {
            for (int seq = 1; seq <= batchesEach; seq++) {
                List<CompletableFuture<long[]>> round = new ArrayList<>();
                for (int a = 0; a < agents; a++) {
                    String agent = "agent-group-" + a;
                    // What another connection sees when the ack would be sent: the commit must be visible.
                    round.add(commits.submit(grouped(agent, pings(seq, "10.9.0." + a + ":6379", 3)))
                            .thenApply(r -> new long[] {
                                r.rowsWritten(),
                                r.duplicate() ? 1 : 0,
                                new BatchStore(db.dataSource).lastStoredSeq(agent)
                            }));
                }
                for (int a = 0; a < agents; a++) {
                    long[] seen = round.get(a).get(30, TimeUnit.SECONDS);
                    assertEquals(3, seen[0], "rows of agent " + a + " batch " + seq);
                    assertEquals(0, seen[1], "not a duplicate");
                    assertTrue(
                            seen[2] >= seq,
                            "batch " + seq + " of agent " + a + " completed before its commit was visible");
                }
            }
            long groups = commits.counters().groups.get();
            assertEquals(agents * batchesEach, commits.counters().groupedBatches.get());
            assertTrue(groups < agents * batchesEach / 4, "batches were not grouped: " + groups + " transactions");
        }
        for (int a = 0; a < agents; a++) {
            assertEquals(
                    batchesEach * 3L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.0." + a + ":6379"));
            assertEquals(batchesEach, store.lastStoredSeq("agent-group-" + a));
        }
    }

    @Test
    void aResentBatchInTheSameGroupOrLaterIsStoredOnce() throws Exception {
        String agent = "agent-resend-group";
        String instance = "10.9.1.1:6379";
        Batch b1 = pings(1, instance, 2);
        Batch b2 = pings(2, instance, 2);
        List<GroupOutcome> outcomes = store.storeTogether(
                List.of(grouped(agent, b1), grouped(agent, b1), grouped(agent, b2), grouped(agent, b1)));
        assertEquals(
                List.of(
                        new StoreResult(false, 2),
                        new StoreResult(true, 0),
                        new StoreResult(false, 2),
                        new StoreResult(true, 0)),
                outcomes.stream().map(GroupOutcome::resultOrThrow).toList());
        assertEquals(
                new StoreResult(true, 0),
                store.storeTogether(List.of(grouped(agent, b2))).get(0).resultOrThrow());
        assertEquals(4L, count("SELECT count(*) FROM pings WHERE instance = ?", instance));
        assertEquals(2L, store.lastStoredSeq(agent));
    }

    @Test
    void aRefusedNumberIsRefusedAloneAndItsGroupIsStored() throws Exception {
        List<GroupOutcome> outcomes = store.storeTogether(List.of(
                grouped("agent-refused-neighbour", pings(1, "10.9.3.1:6379", 1)),
                grouped("agent-refused", pings(SequenceRule.MAX_LEAP + 5, "10.9.3.2:6379", 1))));
        assertEquals(new StoreResult(false, 1), outcomes.get(0).resultOrThrow());
        assertTrue(
                outcomes.get(1).refused().getMessage().contains("more than " + SequenceRule.MAX_LEAP),
                outcomes.get(1).refused().getMessage());
        assertEquals(0L, store.lastStoredSeq("agent-refused"));
        assertEquals(0L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.3.2:6379"));
        assertEquals(1L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.3.1:6379"));
    }

    @Test
    void aBatchThatCannotBeStoredFailsAloneAndTheOthersOfItsGroupAreStored() throws Exception {
        // A record that names no instance cannot become a row, however often it is sent.
        Batch bad = Batch.newBuilder()
                .setSeq(1)
                .addRecords(Record.newBuilder()
                        .setPing(PingResult.newBuilder()
                                .setTsMs(T0)
                                .setOutcome(PingResult.Outcome.PONG)
                                .setReply("PONG")))
                .build();
        try (GroupCommit commits = new GroupCommit(store, 1, 100, Duration.ofMillis(1), 100)) {
            // queued before the committer starts: the three land in one group
            CompletableFuture<StoreResult> before =
                    commits.submit(grouped("agent-good-1", pings(1, "10.9.2.1:6379", 1)));
            CompletableFuture<StoreResult> broken = commits.submit(grouped("agent-bad", bad));
            CompletableFuture<StoreResult> after =
                    commits.submit(grouped("agent-good-2", pings(1, "10.9.2.2:6379", 1)));
            commits.start();
            assertEquals(new StoreResult(false, 1), before.get(30, TimeUnit.SECONDS));
            assertEquals(new StoreResult(false, 1), after.get(30, TimeUnit.SECONDS));
            ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> broken.get(30, TimeUnit.SECONDS));
            assertTrue(
                    failed.getCause().getMessage().contains("names no instance"),
                    failed.getCause().getMessage());
            assertEquals(1, commits.counters().groupsRetriedOneByOne.get());
        }
        assertEquals(0L, store.lastStoredSeq("agent-bad"), "nothing of the bad batch was stored");
        assertEquals(1L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.2.1:6379"));
        assertEquals(1L, count("SELECT count(*) FROM pings WHERE instance = ?", "10.9.2.2:6379"));
    }

    @Test
    void restampedRecordsAreNotedOnTheAgentInTheSameTransaction() throws Exception {
        store.storeTogether(List.of(new GroupedBatch(
                "agent-skewed",
                "redis-skewed",
                BatchFacts.of(pings(1, "10.9.4.1:6379", 2)),
                86_400_000L * 365 * 8000,
                2)));
        store.storeTogether(List.of(new GroupedBatch(
                "agent-skewed",
                "redis-skewed",
                BatchFacts.of(pings(1, "10.9.4.1:6379", 2)),
                86_400_000L * 365 * 8000,
                2))); // a resend: not counted again
        assertEquals(2L, count("SELECT clock_adjusted_records FROM agents WHERE agent_id = ?", "agent-skewed"));
    }

    @Test
    void aFullQueueRefusesAtOnceAsATransientFailure() {
        GroupCommit notStarted = new GroupCommit(store, 1, 10, Duration.ofMillis(1), 1);
        assertFalse(notStarted
                .submit(grouped("agent-q1", pings(1, "10.9.5.1:6379", 1)))
                .isDone());
        CompletableFuture<StoreResult> refused = notStarted.submit(grouped("agent-q2", pings(1, "10.9.5.2:6379", 1)));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, refused::get);
        assertInstanceOf(StorageException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().contains("will be resent"),
                e.getCause().getMessage());
        notStarted.close();
    }

    @Test
    void aLostConnectionFailsTheWholeGroupWithoutTryingEachBatch() {
        assertTrue(GroupCommit.connectionLost(new StorageException(
                "x",
                new java.sql.SQLTransientConnectionException(
                        "redwatch-db - Connection is not available, request timed out after 5000ms."))));
        assertTrue(GroupCommit.connectionLost(
                new StorageException("x", new SQLException("terminating connection", "57P01"))));
        assertFalse(
                GroupCommit.connectionLost(new StorageException("x", new SQLException("value out of range", "22003"))));
    }

    private static GroupedBatch grouped(String agent, Batch batch) {
        return new GroupedBatch(agent, null, BatchFacts.of(batch), 0, 0);
    }

    private static Batch pings(long seq, String instance, int n) {
        Record[] records = new Record[n];
        for (int i = 0; i < n; i++) {
            records[i] = Records.ping(instance, T0 + seq * 10_000 + i, PingResult.Outcome.PONG, "PONG", 100 + i);
        }
        return Records.batch(seq, records);
    }

    private static long count(String sql, Object... args) throws SQLException {
        return ((Number) Sql.rows(db.dataSource, sql, args)
                        .get(0)
                        .values()
                        .iterator()
                        .next())
                .longValue();
    }
}
