package io.redwatch.agent.tailing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the bytes of one open file into lines, from a given offset on. Knows nothing of rotation:
 * {@link LogTailer} decides which file and offset to read and when to {@link #restart}.
 *
 * <p>Reads go through one reused heap buffer ({@value #READ_BUFFER_BYTES} bytes) with positional
 * reads; a line is decoded straight from that buffer, and only a line split across reads is copied,
 * into one reused array of {@code maxLineBytes}. Longer lines are cut there: memory stays bounded
 * whatever the file holds. CR before LF is dropped; a run of NUL bytes at the start of a line (the
 * sparse hole a writer without O_APPEND leaves after copytruncate) is skipped, and NUL bytes are
 * never returned.
 */
final class LineReader {
    static final int READ_BUFFER_BYTES = 64 * 1024;

    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final byte[] bytes = buffer.array();
    /** The first maxLineBytes of a line that spans reads. */
    private final byte[] lineBytes;

    // bytes[pos, limit) are unread; bytes[limit] is at file offset readPos.
    private int pos;
    private int limit;
    private long readPos;
    /** Offset of the pending line's first byte, or -1 at a line boundary. */
    private long lineStart = -1;
    /** Length so far of the pending line that spans reads; its first `kept` bytes are in lineBytes. */
    private long pendingLength;

    private int kept;
    private byte pendingLastByte;
    private boolean skipToNewline;
    private boolean afterNulRun;

    LineReader(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
        this.lineBytes = new byte[maxLineBytes];
    }

    /** Forgets everything read; the next read starts at {@code offset}, at a line boundary. */
    void restart(long offset) {
        readPos = offset;
        pos = 0;
        limit = 0;
        lineStart = -1;
        pendingLength = 0;
        kept = 0;
        skipToNewline = false;
        afterNulRun = false;
    }

    /** The offset started at is mid-line: drop everything up to the first newline. */
    void skipPartialFirstLine() {
        skipToNewline = true;
    }

    /** The file offset up to which bytes were read (returned as lines or held as the pending line). */
    long readPos() {
        return readPos;
    }

    /** Offset of the first byte of an unterminated line read so far, or -1 at a line boundary. */
    long pendingLineStart() {
        return lineStart;
    }

    /** Reads lines of {@code file} into out until maxLines or the end of the file. */
    void readLines(TailedFile file, List<RawLine> out, int maxLines) throws IOException {
        final byte[] b = bytes;
        while (out.size() < maxLines) {
            if (pos == limit) {
                buffer.clear();
                int n = file.channel().read(buffer, readPos);
                if (n <= 0) {
                    return;
                }
                pos = 0;
                limit = n;
                readPos += n;
            }
            if (skipToNewline) {
                int nl = indexOfNewline(b, pos, limit);
                pos = nl < 0 ? limit : nl + 1;
                skipToNewline = nl < 0;
                continue;
            }
            if (lineStart < 0) {
                int p = pos;
                while (p < limit && b[p] == 0) {
                    p++;
                }
                if (p > pos) {
                    afterNulRun = true;
                    pos = p;
                    if (p == limit) {
                        continue;
                    }
                }
                lineStart = readPos - limit + pos;
            }
            int nl = indexOfNewline(b, pos, limit);
            if (nl < 0) {
                append(b, pos, limit - pos);
                pos = limit;
                continue;
            }
            long end = readPos - limit + nl + 1;
            if (pendingLength == 0) {
                int len = nl - pos;
                emit(file, out, b, pos, len, len, len > 0 ? b[nl - 1] : 0, lineStart, end);
            } else {
                append(b, pos, nl - pos);
                emit(file, out, lineBytes, 0, kept, pendingLength, pendingLastByte, lineStart, end);
            }
            pos = nl + 1;
        }
    }

    /**
     * Returns the unterminated line read so far as a line of its own, ending at {@link #readPos}:
     * for a file nothing will be appended to any more. Nothing if at a line boundary.
     */
    void emitPendingLine(TailedFile file, List<RawLine> out) throws IOException {
        if (lineStart >= 0) {
            emit(file, out, lineBytes, 0, kept, pendingLength, pendingLastByte, lineStart, readPos);
        }
    }

    private void append(byte[] b, int from, int len) {
        if (len == 0) {
            return;
        }
        int room = Math.min(len, maxLineBytes - kept);
        if (room > 0) {
            System.arraycopy(b, from, lineBytes, kept, room);
            kept += room;
        }
        pendingLength += len;
        pendingLastByte = b[from + len - 1];
    }

    /**
     * Adds the line whose first {@code keptLen} bytes are {@code src[off..]} and whose full length
     * (without the newline) is {@code length}, and resets the pending-line state.
     */
    private void emit(
            TailedFile file,
            List<RawLine> out,
            byte[] src,
            int off,
            int keptLen,
            long length,
            byte lastByte,
            long start,
            long end)
            throws IOException {
        long contentLength = length > 0 && lastByte == '\r' ? length - 1 : length;
        boolean truncated = contentLength > maxLineBytes;
        int len = (int) Math.min(Math.min(keptLen, contentLength), maxLineBytes);
        if (truncated) {
            len = utf8Boundary(src, off, len);
        }
        String text = new String(src, off, len, StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0) {
            text = text.replace("\0", "");
        }
        if (truncated) {
            text = text + " …[cut: " + contentLength + " bytes]";
        }
        if (!(text.isEmpty() && afterNulRun)) { // a line of nothing but NULs is copytruncate residue
            out.add(new RawLine(file.identityFor(end), file.name(), start, end, text, truncated));
        }
        lineStart = -1;
        pendingLength = 0;
        kept = 0;
        afterNulRun = false;
    }

    /** Moves a cut back so it does not split a UTF-8 sequence (which would decode as U+FFFD). */
    private static int utf8Boundary(byte[] src, int off, int len) {
        for (int i = len - 1; i >= Math.max(0, len - 4); i--) {
            int c = src[off + i] & 0xFF;
            if (c < 0x80) {
                return len;
            }
            if (c >= 0xC0) {
                int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                return i + need > len ? i : len;
            }
        }
        return len; // not UTF-8 anyway: cut where we are
    }

    private static int indexOfNewline(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
