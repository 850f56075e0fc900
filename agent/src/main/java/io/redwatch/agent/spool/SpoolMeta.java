package io.redwatch.agent.spool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The spool's small index, rewritten whole and atomically (temp file, fsync, rename, fsync of the
 * directory) so a crash leaves either the old or the new version, never a mix. It is versioned and
 * checksummed; its size is bounded by the shipper's in-flight window, not by the backlog.
 *
 * @param nextSeq   the number the next batch will get; never handed out twice, across restarts
 * @param lastAcked the highest number the collector acknowledged
 * @param cursorSegment first unsent batch: segment id ...
 * @param cursorPos ... and byte offset in it
 * @param sent      batches numbered and (possibly) sent, not yet acknowledged, in seq order
 * @param losses    gaps not yet sent (serialized {@code Gap} messages)
 */
record SpoolMeta(
        long nextSeq, long lastAcked, long cursorSegment, long cursorPos, List<Sent> sent, List<byte[]> losses) {
    static final String FILE = "meta";
    private static final int MAGIC = 0x5257534D;
    private static final int VERSION = 1;

    /**
     * A numbered batch: either a frame in a segment, or (for gap batches, which live in no segment)
     * the serialized batch itself.
     */
    record Sent(long seq, long segment, long pos, byte[] inline) {
        static Sent at(long seq, long segment, long pos) {
            return new Sent(seq, segment, pos, null);
        }

        static Sent inline(long seq, byte[] batch) {
            return new Sent(seq, -1, -1, batch);
        }
    }

    static SpoolMeta empty(long firstSegment) {
        return new SpoolMeta(1, 0, firstSegment, 0, List.of(), List.of());
    }

    /** The stored index, or null when there is none yet. */
    static SpoolMeta read(Path dir) throws IOException, CorruptMetaException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length < 12) throw new CorruptMetaException("only " + bytes.length + " bytes");
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != Frame.crc(bytes, 0, bytes.length - 4)) throw new CorruptMetaException("checksum mismatch");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
        if (in.readInt() != MAGIC) throw new CorruptMetaException("not a spool index");
        int version = in.readInt();
        if (version != VERSION) {
            throw new CorruptMetaException(
                    "version " + version + " is not " + VERSION + " (written by another agent version)");
        }
        long nextSeq = in.readLong();
        long lastAcked = in.readLong();
        long cursorSegment = in.readLong();
        long cursorPos = in.readLong();
        int n = in.readInt();
        List<Sent> sent = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seq = in.readLong();
            if (in.readBoolean()) {
                sent.add(Sent.inline(seq, in.readNBytes(in.readInt())));
            } else {
                sent.add(Sent.at(seq, in.readLong(), in.readLong()));
            }
        }
        int m = in.readInt();
        List<byte[]> losses = new ArrayList<>(m);
        for (int i = 0; i < m; i++) losses.add(in.readNBytes(in.readInt()));
        return new SpoolMeta(nextSeq, lastAcked, cursorSegment, cursorPos, List.copyOf(sent), List.copyOf(losses));
    }

    void write(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(nextSeq);
        out.writeLong(lastAcked);
        out.writeLong(cursorSegment);
        out.writeLong(cursorPos);
        out.writeInt(sent.size());
        for (Sent s : sent) {
            out.writeLong(s.seq());
            out.writeBoolean(s.inline() != null);
            if (s.inline() != null) {
                out.writeInt(s.inline().length);
                out.write(s.inline());
            } else {
                out.writeLong(s.segment());
                out.writeLong(s.pos());
            }
        }
        out.writeInt(losses.size());
        for (byte[] g : losses) {
            out.writeInt(g.length);
            out.write(g);
        }
        byte[] body = bytes.toByteArray();
        out.writeInt(Frame.crc(body, 0, body.length));
        out.flush();
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    /** Makes a rename or a new file in {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static final class CorruptMetaException extends Exception {
        CorruptMetaException(String message) {
            super(message);
        }
    }
}
