package io.redwatch.agent.spool;

import com.google.protobuf.InvalidProtocolBufferException;
import io.redwatch.agent.spool.SegmentReader.Damage;
import io.redwatch.agent.spool.SegmentReader.Good;
import io.redwatch.agent.spool.SegmentReader.Read;
import io.redwatch.agent.spool.SpoolMeta.Sent;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Logger;

/**
 * The sending side: numbers batches at the cursor (gaps first), reads numbered batches back for
 * (re)sending, and forgets them once acknowledged, deleting segments nothing points into any more.
 * A number is in the index on disk before the batch is handed out under it.
 */
final class SpoolSender {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());

    private final SpoolState st;

    SpoolSender(SpoolState st) {
        this.st = st;
    }

    /** Up to max batches numbered above afterSeq: numbered ones again first, then newly numbered ones. */
    List<Batch> numberAndRead(long afterSeq, int max) throws IOException {
        List<Batch> out = new ArrayList<>();
        boolean changed = false;
        for (Iterator<Sent> it = st.sent.iterator(); it.hasNext() && out.size() < max; ) {
            Sent s = it.next();
            if (s.seq() > afterSeq) out.add(load(s));
        }
        while (out.size() < max) {
            if (!st.losses.isEmpty()) {
                Batch.Builder gaps = Batch.newBuilder().setCreatedMs(System.currentTimeMillis());
                for (Gap g : st.losses) gaps.addRecords(Record.newBuilder().setGap(g));
                Batch b = gaps.build();
                st.sent.add(Sent.inline(st.nextSeq, b.toByteArray()));
                out.add(b.toBuilder().setSeq(st.nextSeq++).build());
                st.losses.clear();
                st.dropping = false;
                changed = true;
                continue;
            }
            Segment s = cursorSegmentWithData();
            if (s == null) break;
            long pos = st.cursorPos;
            Read r = st.reader.read(st.channel(s), pos, s.size, true);
            st.cursorPos = r.next();
            changed = true;
            if (r instanceof Good g) {
                s.unsent--;
                st.unsentBatches--;
                st.lastReadToMs = g.frame().toMs();
                Batch b = parse(g.payload());
                if (b != null) {
                    st.sent.add(Sent.at(st.nextSeq, s.id, pos));
                    out.add(b.toBuilder().setSeq(st.nextSeq++).build());
                    continue;
                }
                st.addLoss(st.lossOf(new Damage(pos, r.next(), g.frame()), s), Spool.DAMAGED);
            } else {
                Damage d = (Damage) r;
                if (d.frame() != null) {
                    s.unsent--;
                    st.unsentBatches--;
                }
                LOG.warning(
                        "spool segment " + s.path + ": bytes " + d.pos() + " to " + d.next() + " are not a valid record"
                                + " (damaged on disk or torn by a crash); skipped, and reported to the collector as a gap");
                st.addLoss(st.lossOf(d, s), Spool.DAMAGED);
            }
        }
        if (changed) {
            st.persist();
            st.collectGarbage();
        }
        return out;
    }

    /** Forgets the numbered batches up to seq and returns them, read back, for the acknowledgement callback. */
    List<Batch> acknowledge(long seq) throws IOException {
        List<Batch> acked = new ArrayList<>();
        while (!st.sent.isEmpty() && st.sent.peekFirst().seq() <= seq) acked.add(load(st.sent.pollFirst()));
        st.lastAcked = Math.max(st.lastAcked, seq);
        if (!acked.isEmpty()) {
            st.persist();
            st.collectGarbage();
        }
        return acked;
    }

    /** The segment the cursor is in, moved on past finished segments; null when everything was numbered. */
    private Segment cursorSegmentWithData() {
        while (true) {
            Segment s = st.segments.get(st.cursorSegment);
            if (s != null && st.cursorPos < s.size) return s;
            if (s == st.active) return null;
            Long next = st.segments.higherKey(st.cursorSegment);
            if (next == null) return null;
            st.cursorSegment = next;
            st.cursorPos = 0;
        }
    }

    /** A numbered batch, read back; if its record went bad on disk, a gap in its place under the same number. */
    private Batch load(Sent s) throws IOException {
        if (s.inline() != null)
            return parse(s.inline()).toBuilder().setSeq(s.seq()).build();
        Segment seg = st.segments.get(s.segment());
        Batch b = null;
        Frame f = null;
        if (seg != null) {
            Read r = st.reader.read(st.channel(seg), s.pos(), seg.size, true);
            if (r instanceof Good g) {
                b = parse(g.payload());
                f = g.frame();
            } else {
                f = ((Damage) r).frame();
            }
        }
        if (b != null) return b.toBuilder().setSeq(s.seq()).build();
        LOG.warning(
                "spool: batch " + s.seq() + " (segment " + s.segment() + ", offset " + s.pos() + ") can no longer be"
                        + " read (damaged on disk or its file was removed); sending a gap under its number instead");
        long now = System.currentTimeMillis();
        Gap g = f == null
                ? Gap.newBuilder()
                        .setFromMs(now)
                        .setToMs(now)
                        .setBatchesLost(1)
                        .setReason(Spool.DAMAGED)
                        .build()
                : Gap.newBuilder()
                        .setFromMs(f.fromMs())
                        .setToMs(f.toMs())
                        .setRecordsLost(f.records())
                        .setBatchesLost(f.batches())
                        .setReason(Spool.DAMAGED)
                        .build();
        Batch gap = Batch.newBuilder()
                .setCreatedMs(now)
                .addRecords(Record.newBuilder().setGap(g))
                .build();
        // Kept in the index from now on, so the damage is reported once and resends stay identical.
        List<Sent> all = new ArrayList<>(st.sent);
        all.replaceAll(x -> x.seq() == s.seq() ? Sent.inline(s.seq(), gap.toByteArray()) : x);
        st.sent.clear();
        st.sent.addAll(all);
        st.persist();
        return gap.toBuilder().setSeq(s.seq()).build();
    }

    private static Batch parse(byte[] payload) {
        try {
            return Batch.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            return null; // the checksum matched, so only a bug writes this; treated as damage
        }
    }
}
