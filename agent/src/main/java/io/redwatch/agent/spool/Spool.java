package io.redwatch.agent.spool;

import com.google.protobuf.InvalidProtocolBufferException;
import io.redwatch.agent.shipping.AckListener;
import io.redwatch.agent.shipping.Outbox;
import io.redwatch.agent.spool.SegmentReader.Damage;
import io.redwatch.agent.spool.SegmentReader.Good;
import io.redwatch.agent.spool.SegmentReader.Read;
import io.redwatch.agent.spool.SpoolMeta.CorruptMetaException;
import io.redwatch.agent.spool.SpoolMeta.Sent;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 */
public final class Spool implements Outbox, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    static final long MAX_SEGMENT_BYTES = 4L << 20;
    static final long MIN_SEGMENT_BYTES = 64L << 10;
    static final String FULL = "agent spool full (spool_max_bytes) while the collector was unreachable: oldest unsent samples dropped";
    static final String DAMAGED = "agent spool record unreadable (torn by a crash or damaged on disk)";
    static final String UNWRITABLE = "agent spool could not write to disk";
    private static final String SUFFIX = ".seg";

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SegmentReader reader = new SegmentReader();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;

    private long nextSeq;
    private long lastAcked;
    private long cursorSegment;
    private long cursorPos;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    /** Gaps not sent yet, one per reason. */
    private final List<Gap> losses = new ArrayList<>();
    private long unsentBatches;
    private long totalBytes;
    private long lastReadToMs;
    private boolean dropping;
    private String writeProblem;
    private volatile boolean backlogged;

    /** One segment file: only its size and a few facts about its unsent part are kept in memory. */
    private static final class Segment {
        final long id;
        final Path path;
        long size;
        /** Valid batches at or after the cursor. */
        long unsent;
        /** Whether any of those holds log lines. */
        boolean hasLogs;
        FileChannel channel;

        Segment(long id, Path path) {
            this.id = id;
            this.path = path;
        }
    }

    private Spool(Path dir, long maxBytes, long segmentBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (or creates) the spool in {@code dir} with segments of a size fitting {@code maxBytes}. */
    public static Spool open(Path dir, long maxBytes) throws IOException {
        return open(dir, maxBytes, Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 16)));
    }

    public static Spool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        if (maxBytes < 2 * segmentBytes) {
            throw new IllegalArgumentException("spool of " + maxBytes + " bytes must hold at least two segments of " + segmentBytes);
        }
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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

    private void load() throws IOException {
        Files.deleteIfExists(dir.resolve(SpoolMeta.FILE + ".tmp"));
        List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                try {
                    ids.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
                } catch (NumberFormatException e) {
                    LOG.warning("spool " + dir + ": ignoring " + name + ", which the agent did not write");
                }
            }
        }
        ids.sort(null);
        SpoolMeta meta;
        try {
            meta = SpoolMeta.read(dir);
        } catch (CorruptMetaException e) {
            // Cannot happen through a crash (the index is replaced atomically); only outside hands do this.
            LOG.severe("spool index " + dir.resolve(SpoolMeta.FILE) + " is unreadable (" + e.getMessage()
                    + "); sending every batch in the spool again under new numbers (the collector may store some twice)");
            meta = null;
        }
        if (meta == null) meta = SpoolMeta.empty(ids.isEmpty() ? 1 : ids.get(0));
        nextSeq = meta.nextSeq();
        lastAcked = meta.lastAcked();
        cursorSegment = meta.cursorSegment();
        cursorPos = meta.cursorPos();
        sent.addAll(meta.sent());
        for (byte[] g : meta.losses()) losses.add(Gap.parseFrom(g));

        for (long id : ids) {
            Segment s = new Segment(id, segmentPath(id));
            s.size = Files.size(s.path);
            segments.put(id, s);
            totalBytes += s.size;
        }
        collectGarbage();
        if (segments.isEmpty() || segments.lastKey() < cursorSegment) {
            active = create(Math.max(cursorSegment, segments.isEmpty() ? 1 : segments.lastKey() + 1));
        } else {
            active = segments.lastEntry().getValue();
        }
        active.channel = FileChannel.open(active.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        for (Segment s : segments.tailMap(cursorSegment, true).values()) count(s);
        persist();
        backlogged = totalBytes >= maxBytes / 2;
        LOG.info("spool " + dir + ": " + size() + " batches waiting (" + totalBytes / 1024 + " KiB of "
                + maxBytes / 1024 + " KiB), next sequence number " + nextSeq);
    }

    /** Counts a segment's unsent batches; a torn end of the last segment is cut off and reported. */
    private void count(Segment s) throws IOException {
        boolean last = s == active;
        long pos = s.id == cursorSegment ? Math.min(cursorPos, s.size) : 0;
        FileChannel ch = channel(s);
        while (pos < s.size) {
            // Only the last segment can hold a torn write: check its payloads, and only headers elsewhere.
            Read r = reader.read(ch, pos, s.size, last);
            if (r instanceof Good g) {
                s.unsent++;
                s.hasLogs |= g.frame().hasLogs();
            } else if (!last || r.next() < s.size) {
                // damage in the middle is reported when the cursor reaches it; a known header still counts
                Damage d = (Damage) r;
                if (d.frame() != null) s.unsent++;
            } else {
                Damage d = (Damage) r;
                LOG.warning("spool segment " + s.path + ": the last " + (s.size - d.pos()) + " bytes (from offset "
                        + d.pos() + ") are not a complete record, probably a write cut short by a crash; removed,"
                        + " and reported to the collector as a gap");
                addLoss(lossOf(d, s), DAMAGED);
                ch.truncate(d.pos());
                ch.force(true);
                totalBytes -= s.size - d.pos();
                s.size = d.pos();
                break;
            }
            pos = r.next();
        }
        unsentBatches += s.unsent;
        if (!last) {
            ch.close();
            s.channel = null;
        }
    }

    @Override
    public synchronized void add(Batch unsequenced) {
        byte[] payload = unsequenced.toByteArray();
        Frame f = Frame.describe(unsequenced, payload);
        ByteBuffer b = f.encode(payload);
        long pos = -1;
        try {
            makeRoom(b.remaining());
            if (active.size >= segmentBytes) roll();
            pos = active.size;
            for (long at = pos; b.hasRemaining(); ) at += active.channel.write(b, at);
            active.channel.force(false);
            active.size += f.totalLength();
            active.unsent++;
            active.hasLogs |= f.hasLogs();
            totalBytes += f.totalLength();
            unsentBatches++;
            if (writeProblem != null) {
                LOG.info("spool " + dir + ": writing again");
                writeProblem = null;
            }
        } catch (IOException e) {
            unwritable(f, pos, e);
        }
        backlogged = totalBytes >= maxBytes / 2;
    }

    /** A full or read-only disk: the batch is lost, and the loss is kept as a gap in memory until it can be written. */
    private void unwritable(Frame f, long pos, IOException e) {
        if (writeProblem == null || !writeProblem.equals(e.toString())) {
            writeProblem = e.toString();
            LOG.warning("spool " + dir + ": cannot write a batch (" + e + "); its " + f.records()
                    + " records are reported to the collector as a gap. Free space on that disk or fix its permissions.");
        }
        try {
            if (pos >= 0) active.channel.truncate(pos);
        } catch (IOException ignored) {
            // the next start cuts off a partial record anyway
        }
        addLoss(Gap.newBuilder().setFromMs(f.fromMs()).setToMs(f.toMs()).setRecordsLost(f.records())
                .setBatchesLost(f.batches()).build(), UNWRITABLE);
        try {
            persist();
        } catch (IOException again) {
            // still in memory; written with the next successful change
        }
    }

    private void makeRoom(long needed) throws IOException {
        while (totalBytes + needed > maxBytes) {
            Segment victim = null;
            for (Segment s : segments.tailMap(cursorSegment, true).values()) {
                boolean unsent = s.id == cursorSegment ? cursorPos < s.size : s.size > 0;
                if (!unsent) continue;
                if (!s.hasLogs) {
                    victim = s;
                    break;
                }
                if (victim == null) victim = s;
            }
            if (victim == null) return; // only numbered batches left: those are never dropped
            drop(victim);
        }
    }

    private void drop(Segment victim) throws IOException {
        long from = victim.id == cursorSegment ? cursorPos : 0;
        Gap.Builder lost = Gap.newBuilder().setFromMs(Long.MAX_VALUE).setToMs(Long.MIN_VALUE);
        long logs = 0;
        FileChannel ch = channel(victim);
        for (long pos = from; pos < victim.size; ) {
            Read r = reader.read(ch, pos, victim.size, false);
            Frame f = r instanceof Good g ? g.frame() : ((Damage) r).frame();
            if (f != null) {
                lost.setFromMs(Math.min(lost.getFromMs(), f.fromMs())).setToMs(Math.max(lost.getToMs(), f.toMs()))
                        .setRecordsLost(lost.getRecordsLost() + f.records()).setBatchesLost(lost.getBatchesLost() + f.batches());
                if (f.hasLogs()) logs++;
            } else {
                lost.setBatchesLost(lost.getBatchesLost() + 1);
            }
            pos = r.next();
        }
        if (lost.getFromMs() == Long.MAX_VALUE) {
            long now = System.currentTimeMillis();
            lost.setFromMs(now).setToMs(now);
        }
        if (victim == active) roll();
        if (victim.id == cursorSegment) {
            cursorSegment = segments.higherKey(victim.id);
            cursorPos = 0;
        }
        unsentBatches -= victim.unsent;
        victim.unsent = 0;
        victim.hasLogs = false;
        addLoss(lost.build(), FULL);
        if (!dropping) {
            dropping = true;
            LOG.warning("spool " + dir + " is full (" + maxBytes / 1024 + " KiB) and the collector has not taken its"
                    + " batches: dropping the oldest unsent samples, first " + lost.getRecordsLost() + " records from "
                    + lost.getFromMs() + " to " + lost.getToMs() + " ms; the loss is sent to the collector as a gap"
                    + (logs > 0 ? ". " + logs + " batches with log lines were among them: raise spool_max_bytes" : ""));
        }
        persist();
        if (victim.id != cursorSegment && sent.stream().noneMatch(s -> s.segment() == victim.id)) delete(victim);
    }

    private void roll() throws IOException {
        active.channel.force(false);
        Segment next = create(active.id + 1);
        next.channel = FileChannel.open(next.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        active = next;
    }

    private Segment create(long id) throws IOException {
        Segment s = new Segment(id, segmentPath(id));
        Files.newByteChannel(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        SpoolMeta.syncDirectory(dir);
        segments.put(id, s);
        return s;
    }

    @Override
    public List<Batch> toSend(long afterSeq, int max) {
        synchronized (this) {
            try {
                return numberAndRead(afterSeq, max);
            } catch (IOException e) {
                throw new UncheckedIOException("spool " + dir + ": cannot read batches to send", e);
            }
        }
    }

    private List<Batch> numberAndRead(long afterSeq, int max) throws IOException {
        List<Batch> out = new ArrayList<>();
        boolean changed = false;
        for (Iterator<Sent> it = sent.iterator(); it.hasNext() && out.size() < max; ) {
            Sent s = it.next();
            if (s.seq() > afterSeq) out.add(load(s));
        }
        while (out.size() < max) {
            if (!losses.isEmpty()) {
                Batch.Builder gaps = Batch.newBuilder().setCreatedMs(System.currentTimeMillis());
                for (Gap g : losses) gaps.addRecords(Record.newBuilder().setGap(g));
                Batch b = gaps.build();
                sent.add(Sent.inline(nextSeq, b.toByteArray()));
                out.add(b.toBuilder().setSeq(nextSeq++).build());
                losses.clear();
                dropping = false;
                changed = true;
                continue;
            }
            Segment s = cursorSegmentWithData();
            if (s == null) break;
            long pos = cursorPos;
            Read r = reader.read(channel(s), pos, s.size, true);
            cursorPos = r.next();
            changed = true;
            if (r instanceof Good g) {
                s.unsent--;
                unsentBatches--;
                lastReadToMs = g.frame().toMs();
                Batch b = parse(g.payload());
                if (b != null) {
                    sent.add(Sent.at(nextSeq, s.id, pos));
                    out.add(b.toBuilder().setSeq(nextSeq++).build());
                    continue;
                }
                addLoss(lossOf(new Damage(pos, r.next(), g.frame()), s), DAMAGED);
            } else {
                Damage d = (Damage) r;
                if (d.frame() != null) {
                    s.unsent--;
                    unsentBatches--;
                }
                LOG.warning("spool segment " + s.path + ": bytes " + d.pos() + " to " + d.next() + " are not a valid record"
                        + " (damaged on disk or torn by a crash); skipped, and reported to the collector as a gap");
                addLoss(lossOf(d, s), DAMAGED);
            }
        }
        if (changed) {
            persist();
            collectGarbage();
        }
        return out;
    }

    /** The segment the cursor is in, moved on past finished segments; null when everything was numbered. */
    private Segment cursorSegmentWithData() {
        while (true) {
            Segment s = segments.get(cursorSegment);
            if (s != null && cursorPos < s.size) return s;
            if (s == active) return null;
            Long next = segments.higherKey(cursorSegment);
            if (next == null) return null;
            cursorSegment = next;
            cursorPos = 0;
        }
    }

    /** A numbered batch, read back; if its record went bad on disk, a gap in its place under the same number. */
    private Batch load(Sent s) throws IOException {
        if (s.inline() != null) return parse(s.inline()).toBuilder().setSeq(s.seq()).build();
        Segment seg = segments.get(s.segment());
        Batch b = null;
        Frame f = null;
        if (seg != null) {
            Read r = reader.read(channel(seg), s.pos(), seg.size, true);
            if (r instanceof Good g) {
                b = parse(g.payload());
                f = g.frame();
            } else {
                f = ((Damage) r).frame();
            }
        }
        if (b != null) return b.toBuilder().setSeq(s.seq()).build();
        LOG.warning("spool: batch " + s.seq() + " (segment " + s.segment() + ", offset " + s.pos() + ") can no longer be"
                + " read (damaged on disk or its file was removed); sending a gap under its number instead");
        long now = System.currentTimeMillis();
        Gap g = f == null ? Gap.newBuilder().setFromMs(now).setToMs(now).setBatchesLost(1).setReason(DAMAGED).build()
                : Gap.newBuilder().setFromMs(f.fromMs()).setToMs(f.toMs()).setRecordsLost(f.records())
                .setBatchesLost(f.batches()).setReason(DAMAGED).build();
        Batch gap = Batch.newBuilder().setCreatedMs(now).addRecords(Record.newBuilder().setGap(g)).build();
        // Kept in the index from now on, so the damage is reported once and resends stay identical.
        List<Sent> all = new ArrayList<>(sent);
        all.replaceAll(x -> x.seq() == s.seq() ? Sent.inline(s.seq(), gap.toByteArray()) : x);
        sent.clear();
        sent.addAll(all);
        persist();
        return gap.toBuilder().setSeq(s.seq()).build();
    }

    private static Batch parse(byte[] payload) {
        try {
            return Batch.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            return null; // the checksum matched, so only a bug writes this; treated as damage
        }
    }

    @Override
    public synchronized void numberAbove(long storedSeq) {
        if (storedSeq < nextSeq) return;
        nextSeq = storedSeq + 1;
        persistOrThrow();
    }

    @Override
    public void acknowledge(long seq, AckListener done) {
        List<Batch> acked = new ArrayList<>();
        synchronized (this) {
            try {
                while (!sent.isEmpty() && sent.peekFirst().seq() <= seq) acked.add(load(sent.pollFirst()));
                lastAcked = Math.max(lastAcked, seq);
                if (!acked.isEmpty()) {
                    persist();
                    collectGarbage();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("spool " + dir + ": cannot record acknowledgement of " + seq, e);
            }
            backlogged = totalBytes >= maxBytes / 2;
        }
        for (Batch b : acked) done.acknowledged(b);
    }

    /** Deletes segments before the first one still holding an unacknowledged batch; the index no longer points there. */
    private void collectGarbage() throws IOException {
        long keep = cursorSegment;
        for (Sent s : sent) if (s.inline() == null) keep = Math.min(keep, s.segment());
        while (!segments.isEmpty() && segments.firstKey() < keep && segments.firstEntry().getValue() != active) {
            delete(segments.firstEntry().getValue());
        }
    }

    private void delete(Segment s) throws IOException {
        if (s.channel != null) s.channel.close();
        Files.deleteIfExists(s.path);
        segments.remove(s.id);
        totalBytes -= s.size;
    }

    private FileChannel channel(Segment s) throws IOException {
        if (s.channel == null) s.channel = FileChannel.open(s.path, StandardOpenOption.READ);
        return s.channel;
    }

    private Gap lossOf(Damage d, Segment s) throws IOException {
        if (d.frame() != null) {
            Frame f = d.frame();
            return Gap.newBuilder().setFromMs(f.fromMs()).setToMs(f.toMs()).setRecordsLost(f.records())
                    .setBatchesLost(f.batches()).build();
        }
        // Nothing of the record is readable: how many records it held is unknown; its time lies
        // between the batch before it and the one after.
        long from = lastReadToMs > 0 ? lastReadToMs : Files.getLastModifiedTime(s.path).toMillis();
        long to = from;
        if (d.next() < s.size && reader.read(channel(s), d.next(), s.size, false) instanceof Good g) {
            to = Math.max(from, g.frame().fromMs());
        }
        return Gap.newBuilder().setFromMs(from).setToMs(to).setBatchesLost(1).build();
    }

    private void addLoss(Gap g, String reason) {
        for (int i = 0; i < losses.size(); i++) {
            Gap a = losses.get(i);
            if (a.getReason().equals(reason)) {
                losses.set(i, a.toBuilder().setFromMs(Math.min(a.getFromMs(), g.getFromMs()))
                        .setToMs(Math.max(a.getToMs(), g.getToMs())).setRecordsLost(a.getRecordsLost() + g.getRecordsLost())
                        .setBatchesLost(a.getBatchesLost() + g.getBatchesLost()).build());
                return;
            }
        }
        losses.add(g.toBuilder().setReason(reason).build());
    }

    private void persist() throws IOException {
        List<byte[]> gaps = new ArrayList<>(losses.size());
        for (Gap g : losses) gaps.add(g.toByteArray());
        new SpoolMeta(nextSeq, lastAcked, cursorSegment, cursorPos, List.copyOf(sent), gaps).write(dir);
    }

    private void persistOrThrow() {
        try {
            persist();
        } catch (IOException e) {
            throw new UncheckedIOException("spool " + dir + ": cannot write its index", e);
        }
    }

    private Path segmentPath(long id) {
        // Zero-padded by hand: String.format's %d loads the JDK's locale data to find the digit zero,
        // which the agent would then keep for its whole life (issue 11).
        String digits = Long.toString(id);
        return dir.resolve("0".repeat(Math.max(0, 20 - digits.length())) + digits + SUFFIX);
    }

    @Override
    public synchronized int size() {
        return (int) Math.min(Integer.MAX_VALUE, sent.size() + (losses.isEmpty() ? 0 : 1) + Math.max(0, unsentBatches));
    }

    @Override
    public boolean backlogged() {
        return backlogged;
    }

    /** Bytes of segment files on disk (the index, under a kilobyte, not counted). */
    public synchronized long diskBytes() {
        return totalBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public synchronized void close() {
        for (Map.Entry<Long, Segment> e : segments.entrySet()) {
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
            LOG.log(Level.FINE, "releasing spool lock in " + dir, e);
        }
    }
}
