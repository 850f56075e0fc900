package io.redwatch.agent.spool;

import io.redwatch.proto.v1.Batch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's disk spool: every batch the collector has not acknowledged, kept in
 * {@code <state_dir>/spool/} so that a restarted agent resends it, under the same sequence number if
 * it had one.
 *
 * <h2>On disk</h2>
 * Batches are appended to segment files ({@code 00000000000000000001.seg}, ...), each closed once it
 * passes the segment size (4 MiB by default) and deleted once every batch in it is acknowledged or
 * dropped. Every record carries CRC32C checksums (see {@link Frame}). The small index
 * ({@link SpoolMeta}: next sequence number, where the first unsent batch is, the numbered batches
 * not yet acknowledged, gaps not yet sent) is replaced atomically.
 *
 * <h2>Durability (fsync policy)</h2>
 * Each appended batch is fsynced before {@link #add} returns, and the index is fsynced (with its
 * directory) whenever it changes: when batches get numbered, are acknowledged or dropped. Batches
 * are cut at most a few per second, so this costs little (see {@code SpoolBenchmark}) and a crash or
 * power cut loses at most the batch being written, which the next start reports as a gap. A number
 * is on disk before the batch is sent under it, so a restart never gives one number to two batches.
 *
 * <h2>Damage</h2>
 * A record whose checksums fail (a write torn by a crash, garbage on the disk) is skipped: it is
 * logged once, and the loss is sent to the collector as a {@link Gap}. A torn last record is cut off
 * at start-up so appends continue after the last good one. Nothing here crashes the agent: a batch
 * that cannot be written is also reported as a gap.
 *
 * <h2>Size</h2>
 * Segment files are kept within {@code maxBytes}, give or take one segment (a segment that still
 * holds a numbered, unacknowledged batch cannot go before that batch is acknowledged). When a new
 * batch does not fit, whole segments of unsent data give way: the oldest one without log lines first
 * (log lines are held back by {@link #backlogged()} and must not be lost: their file position is
 * saved when a later batch is acknowledged), then the oldest one. Batches already sent under a
 * number are never dropped (the collector may have stored them). What was dropped is recorded as a
 * gap in the index, so the gap survives restarts, and is sent before the remaining unsent batches.
 *
 * <h2>Memory</h2>
 * Only the index is in memory: one small entry per segment and per numbered batch (the shipper's
 * in-flight window). Batches are read back from disk when sent and when acknowledged.
 *
 * <h2>Code</h2>
 * This class opens, locks and closes the spool and serialises calls; the work is done on one
 * {@link SpoolState} by {@link SpoolRecovery} (start-up), {@link SpoolAppender} (writing, making
 * room) and {@link SpoolSender} (numbering, resending, acknowledgement).
 */
public final class Spool implements UnackedBatches, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    static final long MAX_SEGMENT_BYTES = 4L << 20;
    static final long MIN_SEGMENT_BYTES = 64L << 10;
    static final String FULL =
            "agent spool full (spool_max_bytes) while the collector was unreachable: oldest unsent samples dropped";
    static final String DAMAGED = "agent spool record unreadable (torn by a crash or damaged on disk)";
    static final String UNWRITABLE = "agent spool could not write to disk";

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SpoolState st;
    private final SpoolAppender appender;
    private final SpoolSender sender;
    private volatile boolean backlogged;

    private Spool(Path dir, long maxBytes, long segmentBytes, FileChannel lockChannel, FileLock lock) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.st = new SpoolState(dir, maxBytes, segmentBytes);
        this.appender = new SpoolAppender(st);
        this.sender = new SpoolSender(st);
    }

    /** Opens (or creates) the spool in {@code dir} with segments of a size fitting {@code maxBytes}. */
    public static Spool open(Path dir, long maxBytes) throws IOException {
        return open(dir, maxBytes, Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 16)));
    }

    public static Spool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        if (maxBytes < 2 * segmentBytes) {
            throw new IllegalArgumentException(
                    "spool of " + maxBytes + " bytes must hold at least two segments of " + segmentBytes);
        }
        Files.createDirectories(dir);
        FileChannel lockChannel =
                FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("spool " + dir + " is in use by another agent; give each agent its own state_dir");
        }
        Spool s = new Spool(dir, maxBytes, segmentBytes, lockChannel, lock);
        try {
            s.load();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private synchronized void load() throws IOException {
        new SpoolRecovery(st).load();
        backlogged = st.backlogged();
        LOG.info("spool " + st.dir + ": " + size() + " batches waiting (" + st.totalBytes / 1024 + " KiB of "
                + st.maxBytes / 1024 + " KiB), next sequence number " + st.nextSeq);
    }

    @Override
    public synchronized void add(Batch unsequenced) {
        appender.add(unsequenced);
        backlogged = st.backlogged();
    }

    @Override
    public List<Batch> toSend(long afterSeq, int max) {
        synchronized (this) {
            try {
                return sender.numberAndRead(afterSeq, max);
            } catch (IOException e) {
                throw new UncheckedIOException("spool " + st.dir + ": cannot read batches to send", e);
            }
        }
    }

    @Override
    public synchronized void numberAbove(long storedSeq) {
        if (storedSeq < st.nextSeq) return;
        st.nextSeq = storedSeq + 1;
        try {
            st.persist();
        } catch (IOException e) {
            throw new UncheckedIOException("spool " + st.dir + ": cannot write its index", e);
        }
    }

    @Override
    public void acknowledge(long seq, AckListener done) {
        List<Batch> acked;
        synchronized (this) {
            try {
                acked = sender.acknowledge(seq);
            } catch (IOException e) {
                throw new UncheckedIOException("spool " + st.dir + ": cannot record acknowledgement of " + seq, e);
            }
            backlogged = st.backlogged();
        }
        // Outside the lock: the listener (committing tail positions) need not hold up adds and sends.
        for (Batch b : acked) done.acknowledged(b);
    }

    @Override
    public synchronized int size() {
        return (int) Math.min(
                Integer.MAX_VALUE, st.sent.size() + (st.losses.isEmpty() ? 0 : 1) + Math.max(0, st.unsentBatches));
    }

    @Override
    public boolean backlogged() {
        return backlogged;
    }

    /** Bytes of segment files on disk (the index, under a kilobyte, not counted). */
    public synchronized long diskBytes() {
        return st.totalBytes;
    }

    public long maxBytes() {
        return st.maxBytes;
    }

    @Override
    public synchronized void close() {
        for (Map.Entry<Long, Segment> e : st.segments.entrySet()) {
            try {
                if (e.getValue().channel != null) e.getValue().channel.close();
            } catch (IOException ex) {
                LOG.log(Level.FINE, "closing spool segment " + e.getValue().path, ex);
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "releasing spool lock in " + st.dir, e);
        }
    }
}
