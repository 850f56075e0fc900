package io.redwatch.agent.spool;

import io.redwatch.agent.spool.SegmentReader.Damage;
import io.redwatch.agent.spool.SegmentReader.Good;
import io.redwatch.agent.spool.SegmentReader.Read;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * Writes new batches: appends each to the active segment and fsyncs it, rolls to a new segment at
 * the segment size, and makes room when the spool is full by dropping whole segments of unsent
 * batches (recorded as a gap). A batch that cannot be written becomes a gap too.
 */
final class SpoolAppender {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());

    private final SpoolState st;
    /** The last write error, said once until writing works again; null while writes succeed. */
    private String writeProblem;

    SpoolAppender(SpoolState st) {
        this.st = st;
    }

    void add(Batch unsequenced) {
        byte[] payload = unsequenced.toByteArray();
        Frame f = Frame.describe(unsequenced, payload);
        ByteBuffer b = f.encode(payload);
        long pos = -1;
        try {
            makeRoom(b.remaining());
            if (st.active.size >= st.segmentBytes) roll();
            Segment active = st.active;
            pos = active.size;
            for (long at = pos; b.hasRemaining(); ) at += active.channel.write(b, at);
            active.channel.force(false);
            active.size += f.totalLength();
            active.unsent++;
            active.hasLogs |= f.hasLogs();
            st.totalBytes += f.totalLength();
            st.unsentBatches++;
            if (writeProblem != null) {
                LOG.info("spool " + st.dir + ": writing again");
                writeProblem = null;
            }
        } catch (IOException e) {
            unwritable(f, pos, e);
        }
    }

    /** A full or read-only disk: the batch is lost, and the loss is kept as a gap in memory until it can be written. */
    private void unwritable(Frame f, long pos, IOException e) {
        if (writeProblem == null || !writeProblem.equals(e.toString())) {
            writeProblem = e.toString();
            LOG.warning(
                    "spool " + st.dir + ": cannot write a batch (" + e + "); its " + f.records()
                            + " records are reported to the collector as a gap. Free space on that disk or fix its permissions.");
        }
        try {
            if (pos >= 0) st.active.channel.truncate(pos);
        } catch (IOException ignored) {
            // the next start cuts off a partial record anyway
        }
        st.addLoss(
                Gap.newBuilder()
                        .setFromMs(f.fromMs())
                        .setToMs(f.toMs())
                        .setRecordsLost(f.records())
                        .setBatchesLost(f.batches())
                        .build(),
                Spool.UNWRITABLE);
        try {
            st.persist();
        } catch (IOException again) {
            // still in memory; written with the next successful change
        }
    }

    private void makeRoom(long needed) throws IOException {
        while (st.totalBytes + needed > st.maxBytes) {
            Segment victim = null;
            for (Segment s : st.segments.tailMap(st.cursorSegment, true).values()) {
                boolean unsent = s.id == st.cursorSegment ? st.cursorPos < s.size : s.size > 0;
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
        long from = victim.id == st.cursorSegment ? st.cursorPos : 0;
        Gap.Builder lost = Gap.newBuilder().setFromMs(Long.MAX_VALUE).setToMs(Long.MIN_VALUE);
        long logs = 0;
        FileChannel ch = st.channel(victim);
        for (long pos = from; pos < victim.size; ) {
            Read r = st.reader.read(ch, pos, victim.size, false);
            Frame f = r instanceof Good g ? g.frame() : ((Damage) r).frame();
            if (f != null) {
                lost.setFromMs(Math.min(lost.getFromMs(), f.fromMs()))
                        .setToMs(Math.max(lost.getToMs(), f.toMs()))
                        .setRecordsLost(lost.getRecordsLost() + f.records())
                        .setBatchesLost(lost.getBatchesLost() + f.batches());
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
        if (victim == st.active) roll();
        if (victim.id == st.cursorSegment) {
            st.cursorSegment = st.segments.higherKey(victim.id);
            st.cursorPos = 0;
        }
        st.unsentBatches -= victim.unsent;
        victim.unsent = 0;
        victim.hasLogs = false;
        st.addLoss(lost.build(), Spool.FULL);
        if (!st.dropping) {
            st.dropping = true;
            LOG.warning("spool " + st.dir + " is full (" + st.maxBytes / 1024
                    + " KiB) and the collector has not taken its"
                    + " batches: dropping the oldest unsent samples, first " + lost.getRecordsLost() + " records from "
                    + lost.getFromMs() + " to " + lost.getToMs() + " ms; the loss is sent to the collector as a gap"
                    + (logs > 0 ? ". " + logs + " batches with log lines were among them: raise spool_max_bytes" : ""));
        }
        st.persist();
        if (victim.id != st.cursorSegment && st.sent.stream().noneMatch(s -> s.segment() == victim.id))
            st.delete(victim);
    }

    private void roll() throws IOException {
        st.active.channel.force(false);
        Segment next = st.create(st.active.id + 1);
        next.channel = FileChannel.open(next.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        st.active = next;
    }
}
