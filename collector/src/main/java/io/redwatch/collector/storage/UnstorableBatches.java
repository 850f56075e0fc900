package io.redwatch.collector.storage;

/**
 * The single place that decides what happens to a batch that fails on its own, in its own
 * transaction, for a reason no retry changes ({@link StoreFailure#permanent()}). Today it is kept
 * by the agent and resent (nothing is lost, but that agent's later batches wait behind it); a
 * dead-letter store can instead set it aside and return a result, and the batch is then acknowledged.
 */
@FunctionalInterface
public interface UnstorableBatches {
    /** Keeps today's behaviour: not acknowledged, the agent resends it. */
    UnstorableBatches KEEP_RETRYING = (batch, failure) -> null;

    /**
     * Called on a group-commit thread. Returns the result to acknowledge the batch with once it is set
     * aside durably, or null to leave it unacknowledged.
     */
    StoreResult unstorable(BatchStore.AgentBatch batch, StoreFailure failure);
}
