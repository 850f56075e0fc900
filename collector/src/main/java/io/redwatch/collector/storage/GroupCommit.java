package io.redwatch.collector.storage;

import io.redwatch.collector.storage.BatchStore.GroupOutcome;
import io.redwatch.collector.storage.BatchStore.GroupedBatch;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Commits many agents' batches together: one transaction per group instead of one per batch, which
 * is what lets one PostgreSQL keep up with thousands of agents (one WAL flush and a few multi-row
 * statements per group). A committer thread takes what is queued, waits at most {@code linger} for
 * more while another group is committing (up to {@code maxGroup} batches), stores the group with {@link BatchStore#storeTogether} and
 * only then completes each batch's future, so an acknowledgement still follows its commit. Two
 * committers run side by side: one gathers its group while the other's commits.
 *
 * <p>A group that fails is stored again one batch at a time, so a bad batch fails alone and the
 * others are stored; a failure delivered for a batch is therefore its own (what to do with a batch
 * that can never be stored is the caller's decision). When the database cannot be reached the
 * group fails as a whole at once, without trying each batch against a dead server.
 *
 * <p>The queue is bounded and {@link #submit} never blocks: ingest keeps far fewer batches in
 * flight than that (IngestGate), so a full queue means something is wrong and the batch is
 * refused as a transient failure (not acknowledged; its agent resends it).
 */
public final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

    /** For /metrics. */
    public static final class Counters {
        public final AtomicLong groups = new AtomicLong();
        public final AtomicLong groupedBatches = new AtomicLong();
        public final AtomicLong groupsRetriedOneByOne = new AtomicLong();
        public final AtomicLong queued = new AtomicLong();
    }

    private record Pending(GroupedBatch batch, CompletableFuture<StoreResult> done) {}

    private final BatchStore store;
    private final int maxGroup;
    private final long lingerNanos;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> committers = new ArrayList<>();
    private final Counters counters = new Counters();
    private final AtomicInteger committing = new AtomicInteger();
    private volatile boolean running = true;

    /**
     * @param committers threads committing groups side by side
     * @param maxGroup   most batches in one transaction
     * @param linger     how long a committer waits for more batches after the first
     * @param capacity   most batches queued
     */
    public GroupCommit(BatchStore store, int committers, int maxGroup, Duration linger, int capacity) {
        this.store = store;
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

    /**
     * Queues the batch. The future completes on a committer thread after the commit: with the
     * store's result, or exceptionally with {@link SequenceRefused} or the failure of storing it.
     */
    public CompletableFuture<StoreResult> submit(GroupedBatch batch) {
        CompletableFuture<StoreResult> done = new CompletableFuture<>();
        if (!running || !queue.offer(new Pending(batch, done))) {
            done.completeExceptionally(new StorageException("the collector's commit queue is full or closing ("
                    + queue.size() + " batches waiting); " + batch.what() + " was not stored and will be resent"));
            return done;
        }
        counters.queued.incrementAndGet();
        return done;
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
                // Wait for company only while another group is committing: then this one could not
                // commit any sooner anyway. Alone (one agent catching up, a quiet fleet), commit now.
                long deadline = System.nanoTime() + (committing.get() > 0 ? lingerNanos : 0);
                while (group.size() < maxGroup) {
                    queue.drainTo(group, maxGroup - group.size());
                    long wait = deadline - System.nanoTime();
                    if (group.size() >= maxGroup || wait <= 0) break;
                    Pending more = queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (more == null) break;
                    group.add(more);
                }
                counters.queued.addAndGet(-group.size());
                committing.incrementAndGet();
                try {
                    commit(group);
                } finally {
                    committing.decrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(group, new StorageException("the collector is stopping; not stored, will be resent"));
                return;
            } catch (RuntimeException e) {
                // Not expected (each completion is guarded); the committer must live on, and no batch may hang.
                LOG.log(Level.SEVERE, "group commit failed unexpectedly: " + e.getMessage(), e);
                failAll(group, e);
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending> group) {
        List<GroupedBatch> batches = new ArrayList<>(group.size());
        for (Pending p : group) batches.add(p.batch());
        List<GroupOutcome> outcomes;
        try {
            outcomes = store.storeTogether(batches);
        } catch (RuntimeException e) {
            if (group.size() == 1 || connectionLost(e)) {
                failAll(group, e);
            } else {
                oneByOne(group);
            }
            return;
        }
        counters.groups.incrementAndGet();
        counters.groupedBatches.addAndGet(group.size());
        for (int i = 0; i < group.size(); i++) {
            complete(group.get(i), outcomes.get(i));
        }
    }

    /** The group failed: each batch in a transaction of its own, so only a bad one fails. */
    private void oneByOne(List<Pending> group) {
        counters.groupsRetriedOneByOne.incrementAndGet();
        RuntimeException lost = null;
        for (Pending p : group) {
            if (lost != null) {
                fail(p, lost);
                continue;
            }
            try {
                complete(p, store.storeTogether(List.of(p.batch())).get(0));
            } catch (RuntimeException e) {
                if (connectionLost(e)) lost = e;
                fail(p, e);
            }
        }
    }

    private static void failAll(List<Pending> group, RuntimeException e) {
        for (Pending p : group) fail(p, e);
    }

    /** One batch's completion throwing must not keep the others of its group from theirs. */
    private static void complete(Pending p, GroupOutcome outcome) {
        try {
            if (outcome.refused() != null) {
                p.done().completeExceptionally(outcome.refused());
            } else {
                p.done().complete(outcome.result());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "acknowledging " + p.batch().what() + " failed: " + e.getMessage(), e);
        }
    }

    private static void fail(Pending p, RuntimeException failure) {
        try {
            p.done().completeExceptionally(failure);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reporting the failure of " + p.batch().what() + " failed: " + e.getMessage(), e);
        }
    }

    /** True when the database could not be reached at all: storing the next batch would fail too. */
    static boolean connectionLost(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException e
                    && e.getSQLState() != null
                    && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops taking batches and lets a commit under way finish; batches still queued are failed (not
     * acknowledged), so their agents resend them to whichever collector they reach next.
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
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        failAll(left, new StorageException("the collector is stopping; not stored, will be resent"));
    }
}
