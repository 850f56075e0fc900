package io.redwatch.collector.storage;

import io.redwatch.collector.storage.BatchStore.AgentBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Commits many agents' batches together: one transaction per group instead of one per batch, which
 * is what lets one PostgreSQL keep up with thousands of agents (one WAL flush and a few multi-row
 * statements per group). A committer thread takes what is queued, waits at most {@code linger} for
 * more (up to {@code maxGroup} batches), stores the group with {@link BatchStore#storeTogether} and
 * only then completes each batch, so an acknowledgement still follows its commit.
 *
 * <p>A group that fails is stored again one batch at a time, so one bad batch fails alone and the
 * others are stored; a batch that fails on its own for a reason no retry changes goes to
 * {@link UnstorableBatches}, the one place that decides what happens to it. When the database is
 * unreachable the group fails at once as a whole (no batch-by-batch retry against a dead server).
 *
 * <p>The queue is bounded; {@link #submit} never blocks and refuses when it is full. Ingest keeps
 * far fewer batches in flight than that ({@code IngestGate}), so a refusal means something is wrong.
 */
public final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

    /** Told, on a committer thread, what became of a submitted batch. Must not block. */
    public interface Completion {
        /** Stored now, or a duplicate of a batch stored before. */
        void stored(StoreResult result);

        /** Not stored: acknowledge nothing, the agent keeps the batch. */
        void failed(StoreFailure failure);
    }

    /** Test-visible counters; /metrics reads them. */
    public static final class Counters {
        public final AtomicLong groups = new AtomicLong();
        public final AtomicLong groupedBatches = new AtomicLong();
        public final AtomicLong groupsRetriedOneByOne = new AtomicLong();
        public final AtomicLong unstorable = new AtomicLong();
        public final AtomicLong queued = new AtomicLong();
    }

    private record Pending(AgentBatch batch, Completion completion) {
    }

    private final BatchStore store;
    private final UnstorableBatches unstorable;
    private final int maxGroup;
    private final long lingerNanos;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> committers = new ArrayList<>();
    private final Counters counters = new Counters();
    private volatile boolean running = true;

    /**
     * @param committers threads committing groups side by side (one builds its group while another's commits)
     * @param maxGroup   most batches in one transaction
     * @param linger     how long a committer waits for more batches after the first
     * @param capacity   most batches queued
     */
    public GroupCommit(BatchStore store, UnstorableBatches unstorable, int committers, int maxGroup, Duration linger,
                       int capacity) {
        this.store = store;
        this.unstorable = unstorable;
        this.maxGroup = maxGroup;
        this.lingerNanos = linger.toNanos();
        this.queue = new ArrayBlockingQueue<>(capacity);
        for (int i = 0; i < committers; i++) {
            Thread t = new Thread(this::run, "redwatch-group-commit-" + i);
            t.setDaemon(true);
            this.committers.add(t);
        }
    }

    public GroupCommit start() {
        committers.forEach(Thread::start);
        return this;
    }

    /** Queues the batch; false (and nothing happens) when the queue is full or closed. */
    public boolean submit(AgentBatch batch, Completion completion) {
        if (!running || !queue.offer(new Pending(batch, completion))) return false;
        counters.queued.incrementAndGet();
        return true;
    }

    public Counters counters() {
        return counters;
    }

    private void run() {
        List<Pending> group = new ArrayList<>(maxGroup);
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                group.add(first);
                long deadline = System.nanoTime() + lingerNanos;
                while (group.size() < maxGroup) {
                    queue.drainTo(group, maxGroup - group.size());
                    long wait = deadline - System.nanoTime();
                    if (group.size() >= maxGroup || wait <= 0) break;
                    Pending more = queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (more == null) break;
                    group.add(more);
                }
                counters.queued.addAndGet(-group.size());
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // Not expected (completions are guarded one by one); the committer must live on.
                LOG.log(Level.SEVERE, "group commit failed unexpectedly: " + e.getMessage(), e);
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending> group) {
        List<AgentBatch> batches = new ArrayList<>(group.size());
        for (Pending p : group) batches.add(p.batch());
        List<StoreResult> results;
        try {
            results = store.storeTogether(batches);
        } catch (RuntimeException e) {
            StoreFailure failure = StoreFailure.of(e);
            if (group.size() == 1) {
                finishFailed(group.get(0), failure);
            } else if (failure.connectionLost()) {
                group.forEach(p -> failed(p, failure));
            } else {
                oneByOne(group);
            }
            return;
        }
        counters.groups.incrementAndGet();
        counters.groupedBatches.addAndGet(group.size());
        for (int i = 0; i < group.size(); i++) {
            stored(group.get(i), results.get(i));
        }
    }

    /** One batch's completion throwing must not keep the others of its group from theirs. */
    private static void stored(Pending p, StoreResult result) {
        try {
            p.completion().stored(result);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "completing stored batch " + p.batch().batch().getSeq() + " of agent "
                    + p.batch().agentId() + " failed: " + e.getMessage(), e);
        }
    }

    private static void failed(Pending p, StoreFailure failure) {
        try {
            p.completion().failed(failure);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "completing failed batch " + p.batch().batch().getSeq() + " of agent "
                    + p.batch().agentId() + " failed: " + e.getMessage(), e);
        }
    }

    /** The group failed: store each batch in a transaction of its own, so only a bad one fails. */
    private void oneByOne(List<Pending> group) {
        counters.groupsRetriedOneByOne.incrementAndGet();
        StoreFailure lost = null;
        for (Pending p : group) {
            if (lost != null) {
                failed(p, lost);
                continue;
            }
            StoreResult result;
            try {
                result = store.store(p.batch().agentId(), p.batch().batch());
            } catch (RuntimeException e) {
                StoreFailure failure = StoreFailure.of(e);
                if (failure.connectionLost()) lost = failure;
                finishFailed(p, failure);
                continue;
            }
            stored(p, result);
        }
    }

    private void finishFailed(Pending p, StoreFailure failure) {
        if (!failure.permanent()) {
            failed(p, failure);
            return;
        }
        counters.unstorable.incrementAndGet();
        StoreResult handled;
        try {
            handled = unstorable.unstorable(p.batch(), failure);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not set aside unstorable batch " + p.batch().batch().getSeq() + " of agent "
                    + p.batch().agentId() + ": " + e.getMessage(), e);
            handled = null;
        }
        if (handled != null) {
            stored(p, handled);
        } else {
            failed(p, failure);
        }
    }

    /**
     * Stops taking batches and lets a commit under way finish; batches still queued are not
     * acknowledged, so their agents resend them to whichever collector they reach next.
     */
    @Override
    public void close() {
        running = false;
        for (Thread t : committers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            t.interrupt();
        }
    }
}
