package io.redwatch.agent.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads frames from one segment file by position. A frame that fails its checksums (a write torn
 * by a crash, garbage on the disk) comes back as {@link Damage} spanning up to the next valid frame,
 * found by searching for the magic number, so one bad record costs that record and no more.
 */
final class SegmentReader {
    private static final int SEARCH_CHUNK = 64 * 1024;

    sealed interface Read permits Good, Damage {
        /** Where the next frame (or the end) starts. */
        long next();
    }

    /** A valid frame at {@code pos}; its payload is null when it was read for its header only. */
    record Good(long pos, long next, Frame frame, byte[] payload) implements Read {}

    /** Bytes [pos, next) hold no valid frame; {@code frame} is the header if that part was intact, else null. */
    record Damage(long pos, long next, Frame frame) implements Read {}

    private final ByteBuffer header = ByteBuffer.allocate(Frame.HEADER_BYTES);

    /**
     * The frame at {@code pos} of a file whose valid bytes end at {@code end}.
     *
     * @param withPayload read and check the payload too; without it only the header checksum is checked
     */
    Read read(FileChannel ch, long pos, long end, boolean withPayload) throws IOException {
        Frame f = headerAt(ch, pos, end);
        if (f != null && pos + f.totalLength() <= end) {
            if (!withPayload) return new Good(pos, pos + f.totalLength(), f, null);
            byte[] payload = new byte[f.payloadLength()];
            readFully(ch, ByteBuffer.wrap(payload), pos + Frame.HEADER_BYTES);
            if (f.payloadMatches(payload)) return new Good(pos, pos + f.totalLength(), f, payload);
        }
        return new Damage(pos, nextValid(ch, pos + 1, end, withPayload), f);
    }

    private Frame headerAt(FileChannel ch, long pos, long end) throws IOException {
        if (end - pos < Frame.HEADER_BYTES) return null;
        header.clear();
        readFully(ch, header, pos);
        header.flip();
        return Frame.decodeHeader(header);
    }

    /** The first position at or after {@code from} where a valid frame starts, or {@code end}. */
    private long nextValid(FileChannel ch, long from, long end, boolean withPayload) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(SEARCH_CHUNK);
        long base = from;
        while (base + Frame.HEADER_BYTES <= end) {
            chunk.clear();
            chunk.limit((int) Math.min(SEARCH_CHUNK, end - base));
            readFully(ch, chunk, base);
            for (int i = 0; i + 4 <= chunk.limit(); i++) {
                if (chunk.getInt(i) != Frame.MAGIC) continue;
                long candidate = base + i;
                Frame f = headerAt(ch, candidate, end);
                if (f == null || candidate + f.totalLength() > end) continue;
                if (!withPayload) return candidate;
                byte[] payload = new byte[f.payloadLength()];
                readFully(ch, ByteBuffer.wrap(payload), candidate + Frame.HEADER_BYTES);
                if (f.payloadMatches(payload)) return candidate;
            }
            // overlap by 3 bytes so a magic number split across chunks is still seen
            base += Math.max(1, chunk.limit() - 3);
        }
        return end;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) throw new IOException("unexpected end of spool segment at offset " + pos);
            pos += n;
        }
    }
}
