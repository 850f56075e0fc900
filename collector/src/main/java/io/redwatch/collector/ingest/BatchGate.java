package io.redwatch.collector.ingest;

import io.redwatch.collector.storage.AgentClock;
import io.redwatch.collector.storage.DeadLetters;
import io.redwatch.collector.storage.StoreResult;
import io.redwatch.proto.v1.Batch;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * The way from an authenticated agent's batch to storage: {@link RecordScreen} first, then the
 * store; a batch the database refuses for good (or that holds a record of an unknown kind) is kept
 * in dead_letters and acknowledged, while every other failure propagates (not acknowledged: the
 * agent keeps the batch and resends it). Runs on a worker thread.
 */
public final class BatchGate {
    /** What became of a batch: the store's result, the batch as stored, and what the agent is told. */
    public record Outcome(StoreResult result, Batch stored, String refused) {
        public boolean duplicate() {
            return result.duplicate();
        }
    }

    private final RecordScreen screen;
    private final DeadLetters deadLetters;
    private final AgentClock clocks;
    private final IngestMetrics metrics;
    private final RefusalLog refusals;

    public BatchGate(io.redwatch.collector.storage.InstanceOwnership ownership, ClockBound clock, DeadLetters deadLetters,
                     AgentClock clocks, IngestMetrics metrics, RefusalLog refusals) {
        this.screen = new RecordScreen(ownership, clock, metrics, refusals);
        this.deadLetters = deadLetters;
        this.clocks = clocks;
        this.metrics = metrics;
        this.refusals = refusals;
    }

    public Outcome pass(String agentId, String agentHost, Batch batch, Function<Batch, StoreResult> store) {
        RecordScreen.Screened s = screen.screen(agentId, agentHost, batch, System.currentTimeMillis());
        if (!s.poison().isEmpty()) return deadLetter(agentId, batch, null, s.poison());
        StoreResult result;
        try {
            result = store.apply(s.batch());
        } catch (RuntimeException e) {
            String state = DeadLetters.permanentCause(e);
            if (state == null) throw e;
            return deadLetter(agentId, batch, state, String.valueOf(e.getMessage()));
        }
        if (s.restamped() > 0 && !result.duplicate()) clocks.note(agentId, s.skewMs(), s.restamped());
        return new Outcome(result, s.batch(), s.refused());
    }

    private Outcome deadLetter(String agentId, Batch batch, String sqlState, String reason) {
        if (!deadLetters.put(agentId, batch, sqlState, reason)) {
            return new Outcome(new StoreResult(true, 0), Batch.getDefaultInstance(), ""); // a resend of a batch handled before
        }
        metrics.batchesDeadLettered.incrementAndGet();
        metrics.lastDeadLetterMs.set(System.currentTimeMillis());
        refusals.log(Level.WARNING, agentId, "dead letter " + sqlState, () -> "batch " + Long.toUnsignedString(batch.getSeq())
                + " of agent " + agentId + " (" + batch.getRecordsCount() + " records) cannot be stored: " + reason
                + (sqlState == null ? "" : " (SQLState " + sqlState + ")") + ". It was kept whole in dead_letters and acknowledged,"
                + " so the agent goes on; see redwatch_dead_letters");
        return new Outcome(new StoreResult(false, 0), Batch.getDefaultInstance(), "batch kept in the collector's dead letters: " + reason);
    }
}
