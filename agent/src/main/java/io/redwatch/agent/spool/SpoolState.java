package io.redwatch.agent.spool;

import io.redwatch.agent.spool.SegmentReader.Damage;
import io.redwatch.agent.spool.SegmentReader.Good;
import io.redwatch.agent.spool.SpoolMeta.Sent;
import io.redwatch.proto.v1.Gap;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What a spool knows in memory: its segment files, the cursor (the first batch not yet numbered),
 * the numbered batches not yet acknowledged and the losses not yet reported. The writer
 * ({@link SpoolAppender}), the sender ({@link SpoolSender}) and start-up ({@link SpoolRecovery}) all
 * work on this one state under the spool's lock; {@link #persist} writes the part that must survive
 * a crash ({@link SpoolMeta}).
 */
final class SpoolState {
    static final String SUFFIX = ".seg";

    final Path dir;
    final long maxBytes;
    final long segmentBytes;
    final SegmentReader reader = new SegmentReader();
    final TreeMap<Long, Segment> segments = new TreeMap<>();
    Segment active;

    long nextSeq;
    long lastAcked;
    long cursorSegment;
    long cursorPos;
    final ArrayDeque<Sent> sent = new ArrayDeque<>();
    /** Gaps not sent yet, one per reason. */
    final List<Gap> losses = new ArrayList<>();

    long unsentBatches;
    long totalBytes;
    /** The end time of the last batch read at the cursor: where an unreadable record's loss begins. */
    long lastReadToMs;
    /** Dropping for lack of room since the last gap was sent: warn once per episode. */
    boolean dropping;

    SpoolState(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
    }

    /** Half full: log lines are held back so they do not push out samples (see Spool). */
    boolean backlogged() {
        return totalBytes >= maxBytes / 2;
    }

    Segment create(long id) throws IOException {
        Segment s = new Segment(id, segmentPath(id));
        Files.newByteChannel(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                .close();
        SpoolMeta.syncDirectory(dir);
        segments.put(id, s);
        return s;
    }

    void delete(Segment s) throws IOException {
        if (s.channel != null) s.channel.close();
        Files.deleteIfExists(s.path);
        segments.remove(s.id);
        totalBytes -= s.size;
    }

    FileChannel channel(Segment s) throws IOException {
        if (s.channel == null) s.channel = FileChannel.open(s.path, StandardOpenOption.READ);
        return s.channel;
    }

    Path segmentPath(long id) {
        // Zero-padded by hand: String.format's %d loads the JDK's locale data to find the digit zero,
        // which the agent would then keep for its whole life (issue 11).
        String digits = Long.toString(id);
        return dir.resolve("0".repeat(Math.max(0, 20 - digits.length())) + digits + SUFFIX);
    }

    /** Deletes segments before the first one still holding an unacknowledged batch; the index no longer points there. */
    void collectGarbage() throws IOException {
        long keep = cursorSegment;
        for (Sent s : sent) if (s.inline() == null) keep = Math.min(keep, s.segment());
        while (!segments.isEmpty()
                && segments.firstKey() < keep
                && segments.firstEntry().getValue() != active) {
            delete(segments.firstEntry().getValue());
        }
    }

    /** What a damaged record in segment s cost, as far as can be told. */
    Gap lossOf(Damage d, Segment s) throws IOException {
        if (d.frame() != null) {
            Frame f = d.frame();
            return Gap.newBuilder()
                    .setFromMs(f.fromMs())
                    .setToMs(f.toMs())
                    .setRecordsLost(f.records())
                    .setBatchesLost(f.batches())
                    .build();
        }
        // Nothing of the record is readable: how many records it held is unknown; its time lies
        // between the batch before it and the one after.
        long from = lastReadToMs > 0
                ? lastReadToMs
                : Files.getLastModifiedTime(s.path).toMillis();
        long to = from;
        if (d.next() < s.size && reader.read(channel(s), d.next(), s.size, false) instanceof Good g) {
            to = Math.max(from, g.frame().fromMs());
        }
        return Gap.newBuilder().setFromMs(from).setToMs(to).setBatchesLost(1).build();
    }

    /** Adds a loss to the gap kept for its reason, so one gap per reason is sent. */
    void addLoss(Gap g, String reason) {
        for (int i = 0; i < losses.size(); i++) {
            Gap a = losses.get(i);
            if (a.getReason().equals(reason)) {
                losses.set(
                        i,
                        a.toBuilder()
                                .setFromMs(Math.min(a.getFromMs(), g.getFromMs()))
                                .setToMs(Math.max(a.getToMs(), g.getToMs()))
                                .setRecordsLost(a.getRecordsLost() + g.getRecordsLost())
                                .setBatchesLost(a.getBatchesLost() + g.getBatchesLost())
                                .build());
                return;
            }
        }
        losses.add(g.toBuilder().setReason(reason).build());
    }

    /** Replaces the index on disk (atomically, fsynced) with what is in memory. */
    void persist() throws IOException {
        List<byte[]> gaps = new ArrayList<>(losses.size());
        for (Gap g : losses) gaps.add(g.toByteArray());
        new SpoolMeta(nextSeq, lastAcked, cursorSegment, cursorPos, List.copyOf(sent), gaps).write(dir);
    }
}
