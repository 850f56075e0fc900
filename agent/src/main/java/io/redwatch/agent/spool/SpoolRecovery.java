package io.redwatch.agent.spool;

import io.redwatch.agent.spool.SegmentReader.Damage;
import io.redwatch.agent.spool.SegmentReader.Good;
import io.redwatch.agent.spool.SegmentReader.Read;
import io.redwatch.agent.spool.SpoolMeta.CorruptMetaException;
import io.redwatch.proto.v1.Gap;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Start-up: rebuilds a spool's state from its directory after a clean stop or a crash. The index
 * says where the cursor is and which batches were numbered; the segment files say how much is
 * there. A torn last record (a write cut short by a crash) is cut off so appends continue after
 * the last good one, and reported as a gap.
 */
final class SpoolRecovery {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());

    private final SpoolState st;

    SpoolRecovery(SpoolState st) {
        this.st = st;
    }

    void load() throws IOException {
        Path dir = st.dir;
        Files.deleteIfExists(dir.resolve(SpoolMeta.FILE + ".tmp"));
        List<Long> ids = segmentIds(dir);
        SpoolMeta meta;
        try {
            meta = SpoolMeta.read(dir);
        } catch (CorruptMetaException e) {
            // Cannot happen through a crash (the index is replaced atomically); only outside hands do this.
            LOG.severe(
                    "spool index " + dir.resolve(SpoolMeta.FILE) + " is unreadable (" + e.getMessage()
                            + "); sending every batch in the spool again under new numbers (the collector may store some twice)");
            meta = null;
        }
        if (meta == null) meta = SpoolMeta.empty(ids.isEmpty() ? 1 : ids.get(0));
        st.nextSeq = meta.nextSeq();
        st.lastAcked = meta.lastAcked();
        st.cursorSegment = meta.cursorSegment();
        st.cursorPos = meta.cursorPos();
        st.sent.addAll(meta.sent());
        for (byte[] g : meta.losses()) st.losses.add(Gap.parseFrom(g));

        for (long id : ids) {
            Segment s = new Segment(id, st.segmentPath(id));
            s.size = Files.size(s.path);
            st.segments.put(id, s);
            st.totalBytes += s.size;
        }
        st.collectGarbage();
        if (st.segments.isEmpty() || st.segments.lastKey() < st.cursorSegment) {
            st.active = st.create(Math.max(st.cursorSegment, st.segments.isEmpty() ? 1 : st.segments.lastKey() + 1));
        } else {
            st.active = st.segments.lastEntry().getValue();
        }
        st.active.channel = FileChannel.open(st.active.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        for (Segment s : st.segments.tailMap(st.cursorSegment, true).values()) count(s);
        st.persist();
    }

    private static List<Long> segmentIds(Path dir) throws IOException {
        List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SpoolState.SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                try {
                    ids.add(Long.parseLong(name.substring(0, name.length() - SpoolState.SUFFIX.length())));
                } catch (NumberFormatException e) {
                    LOG.warning("spool " + dir + ": ignoring " + name + ", which the agent did not write");
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Counts a segment's unsent batches; a torn end of the last segment is cut off and reported. */
    private void count(Segment s) throws IOException {
        boolean last = s == st.active;
        long pos = s.id == st.cursorSegment ? Math.min(st.cursorPos, s.size) : 0;
        FileChannel ch = st.channel(s);
        while (pos < s.size) {
            // Only the last segment can hold a torn write: check its payloads, and only headers elsewhere.
            Read r = st.reader.read(ch, pos, s.size, last);
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
                st.addLoss(st.lossOf(d, s), Spool.DAMAGED);
                ch.truncate(d.pos());
                ch.force(true);
                st.totalBytes -= s.size - d.pos();
                s.size = d.pos();
                break;
            }
            pos = r.next();
        }
        st.unsentBatches += s.unsent;
        if (!last) {
            ch.close();
            s.channel = null;
        }
    }
}
