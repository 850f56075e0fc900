package io.redwatch.collector.ingest;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.storage.BatchStore.GroupedBatch;
import io.redwatch.collector.storage.DeadLetters;
import io.redwatch.collector.storage.GroupCommit;
import io.redwatch.collector.storage.InstanceOwnership;
import io.redwatch.collector.storage.StoreResult;
import io.redwatch.proto.v1.Batch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;

/**
 * The way from an authenticated agent's batch to storage: {@link RecordScreen} first, on the
 * caller's worker thread, then the batch, read once ({@link BatchFacts}), joins a group commit. A
 * batch the database refuses for good (or that holds a record of an unknown kind) is kept in
 * dead_letters and acknowledged, while every other failure propagates (not acknowledged: the agent
 * keeps the batch and resends it).
 */
public final class BatchGate {
    /** What became of a batch: the store's result, the batch as stored (null when not), and what the agent is told. */
    public record Outcome(StoreResult result, BatchFacts stored, String refused) {
        public boolean duplicate() {
            return result.duplicate();
        }
    }

    private final RecordScreen screen;
    private final DeadLetters deadLetters;
    private final GroupCommit commits;
    private final IngestMetrics metrics;
    private final RefusalLog refusals;

    public BatchGate(
            InstanceOwnership ownership,
            ClockBound clock,
            DeadLetters deadLetters,
            GroupCommit commits,
            IngestMetrics metrics,
            RefusalLog refusals) {
        this.screen = new RecordScreen(ownership, clock, metrics, refusals);
        this.deadLetters = deadLetters;
        this.commits = commits;
        this.metrics = metrics;
        this.refusals = refusals;
    }

    /**
     * Screens the batch here (blocking: call it on a worker thread) and hands it to the group commit.
     * The result completes after the commit, on a committer thread; it fails with the cause when the
     * batch was not stored and must not be acknowledged.
     */
    public CompletableFuture<Outcome> pass(String agentId, String agentHost, Batch batch) {
        RecordScreen.Screened s = screen.screen(agentId, agentHost, batch, System.currentTimeMillis());
        if (!s.poison().isEmpty())
            return CompletableFuture.completedFuture(deadLetter(agentId, batch, null, s.poison()));
        BatchFacts facts = BatchFacts.of(s.batch()); // read once, for storage and diagnosis
        return commits.submit(new GroupedBatch(agentId, agentHost, facts, s.skewMs(), s.restamped()))
                .handle((result, failure) -> {
                    if (failure == null) return new Outcome(result, facts, s.refused());
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    // A failure reported for a batch is its own (GroupCommit retries a failed group one by one).
                    String state = DeadLetters.permanentCause(cause);
                    if (state == null) throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
                    return deadLetter(agentId, batch, state, String.valueOf(cause.getMessage()));
                });
    }

    private Outcome deadLetter(String agentId, Batch batch, String sqlState, String reason) {
        if (!deadLetters.put(agentId, batch, sqlState, reason)) {
            return new Outcome(new StoreResult(true, 0), null, ""); // a resend of a batch handled before
        }
        metrics.batchesDeadLettered.incrementAndGet();
        metrics.lastDeadLetterMs.set(System.currentTimeMillis());
        refusals.log(
                Level.WARNING,
                agentId,
                "dead letter " + sqlState,
                () -> "batch " + Long.toUnsignedString(batch.getSeq())
                        + " of agent " + agentId + " (" + batch.getRecordsCount() + " records) cannot be stored: "
                        + reason
                        + (sqlState == null ? "" : " (SQLState " + sqlState + ")")
                        + ". It was kept whole in dead_letters and acknowledged,"
                        + " so the agent goes on; see redwatch_dead_letters");
        return new Outcome(new StoreResult(false, 0), null, "batch kept in the collector's dead letters: " + reason);
    }
}
