package io.redwatch.agent.spool;

import io.redwatch.proto.v1.Batch;
import java.util.List;

/**
 * Batches made but not yet acknowledged by the collector, oldest first. The shipper resends them
 * after every reconnect; an acknowledged batch is removed and handed to the ack listener (which
 * saves log positions), so nothing is marked delivered before the collector committed it.
 *
 * <p>Sequence numbers belong to these batches: a batch is numbered when it is first handed out for
 * sending and keeps that number for good (also across agent restarts), and a number is never given
 * to two different batches. They are handed out a window at a time, so the whole backlog never
 * has to be held in memory.
 *
 * <p>It lives beside the spool that implements it, so the spool knows nothing of the shipper; the
 * shipper depends on the spool package, not the other way round.
 */
public interface UnackedBatches {

    /** Adds a batch that has no sequence number yet (seq 0). Never throws: a batch it cannot keep is reported as a gap. */
    void add(Batch unsequenced);

    /**
     * Up to {@code max} batches that come after the one numbered {@code afterSeq}, oldest first, each
     * with its sequence number. Batches not numbered yet are numbered here, durably, before they are
     * returned.
     */
    List<Batch> toSend(long afterSeq, int max);

    /** The collector has stored everything up to {@code storedSeq}: never number a batch at or below it. */
    void numberAbove(long storedSeq);

    /** Removes every batch numbered ≤ {@code seq} and hands each to {@code done}, oldest first. */
    void acknowledge(long seq, AckListener done);

    /** Batches waiting (numbered or not). */
    int size();

    /**
     * True while there are so many that log lines should wait in their file instead of being
     * read: samples give way when the spool overflows, log lines must not.
     */
    boolean backlogged();
}
