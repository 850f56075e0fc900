package io.redwatch.agent.tailing;

import io.redwatch.agent.tailing.TailPositionStore.Position;
import io.redwatch.proto.v1.FileIdentity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows one log file (redis.log) by path and hands out its complete lines, surviving rotation,
 * truncation and agent restarts.
 *
 * <h2>Where it starts</h2>
 * With a saved position it resumes exactly there: positions are saved only by {@link #commit},
 * i.e. once the collector acknowledged the lines, so after a restart the unacknowledged lines are
 * read again (at-least-once; the collector drops duplicates by file identity and offset).
 *
 * <p>Without a saved position (first install) it reads the current file from the start, because
 * the history already in redis.log is often what explains today's incident (the fork errors before
 * the outage). To keep a multi-gigabyte log from flooding the collector, only the last
 * {@code initialBacklogBytes} (default 1 MiB) of what the file held when the tailer was made are
 * read then (starting at the first line boundary in that window), and everything written since. A saved position that is corrupt means "from the start of the current file", uncapped,
 * and so does a file that did not exist yet when the tailer started: all of it is new.
 *
 * <h2>Rotation and truncation</h2>
 * <ul>
 * <li>Rename (logrotate {@code create}): when the path names another inode, the open channel of the
 *     old file is read to its end, then the new file is followed from offset 0. An unterminated last
 *     line of the old file is returned once the old file has not grown for a grace period (1 s), since
 *     its newline can no longer arrive. If the agent was stopped during the rotation, the saved file
 *     is looked up by device, inode and head fingerprint in the same directory (e.g. redis.log.1) and
 *     its remainder is read first.</li>
 * <li>copytruncate: the same inode, but smaller than what was read or with different first bytes →
 *     read again from offset 0. A run of NUL bytes at the start of a line (the sparse hole a writer
 *     without O_APPEND leaves behind) is skipped, and NUL bytes are never returned.</li>
 * <li>An inode reused by a new file is told apart by its head fingerprint.</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * Reads go through one reused heap buffer ({@value #READ_BUFFER_BYTES} bytes) with positional reads;
 * a line is decoded straight from that buffer, and only a line split across reads is copied, into one
 * reused array of {@code maxLineBytes}. Longer lines are cut there: memory stays bounded whatever
 * the file holds.
 *
 * <p>{@link #poll} must be called from one thread at a time; {@link #commit} may be called from
 * another (e.g. the shipper's acknowledgement callback).
 */
public final class LogTailer implements AutoCloseable {
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;
    public static final long DEFAULT_INITIAL_BACKLOG_BYTES = 1024 * 1024;
    static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(LogTailer.class.getName());

    private final Path path;
    private final TailPositionStore positions;
    private final int maxLineBytes;
    private final long initialBacklogBytes;
    /**
     * How long the file was when this tailer was made: what is older history. The first poll may
     * come much later (the agent first finds the Redis process that must own the log), and the
     * lines written meanwhile are new, not history to cap.
     */
    private final long sizeAtStart;
    private final LogFileCheck check;
    private long rotatedTailGraceNanos = Duration.ofSeconds(1).toNanos();

    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final byte[] bytes = buffer.array();
    /** The first maxLineBytes of a line that spans reads. */
    private final byte[] lineBytes;

    /** The position saved by an earlier run; null until loaded. */
    private Optional<Position> saved;
    private TailedFile current;
    private boolean started;
    private boolean rotatedAway;
    private boolean pathMissing;
    /** No saved position and no file at the first poll: the file that appears later is all new. */
    private boolean createdWhileFollowed;
    private boolean closed;

    // Read state of `current`. bytes[pos, limit) are unread; bytes[limit] is at file offset readPos.
    private int pos;
    private int limit;
    private long readPos;
    private long lastSize = -1;
    /** Offset of the pending line's first byte, or -1 at a line boundary. */
    private long lineStart = -1;
    /** Length so far of the pending line that spans reads; its first `kept` bytes are in lineBytes. */
    private long pendingLength;
    private int kept;
    private byte pendingLastByte;
    private boolean skipToNewline;
    private boolean afterNulRun;
    private long rotatedTailSize = -1;
    private long rotatedTailSince;

    private String lastWarning;
    private boolean commitFailing;

    public LogTailer(Path file, TailPositionStore positions) {
        this(file, positions, DEFAULT_MAX_LINE_BYTES);
    }

    public LogTailer(Path file, TailPositionStore positions, int maxLineBytes) {
        this(file, positions, maxLineBytes, DEFAULT_INITIAL_BACKLOG_BYTES);
    }

    /**
     * @param initialBacklogBytes how much of the end of an already existing file is read when no
     *                            position was ever saved for it
     */
    public LogTailer(Path file, TailPositionStore positions, int maxLineBytes, long initialBacklogBytes) {
        this(file, positions, maxLineBytes, initialBacklogBytes, LogFileCheck.regularFilesOnly());
    }

    /** @param check which files may be read at the path (never a symlink; see {@link LogFileCheck}) */
    public LogTailer(Path file, TailPositionStore positions, int maxLineBytes, long initialBacklogBytes,
                     LogFileCheck check) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive, was " + maxLineBytes);
        }
        if (initialBacklogBytes < 0) {
            throw new IllegalArgumentException("initialBacklogBytes must be >= 0, was " + initialBacklogBytes);
        }
        this.path = file;
        this.positions = positions;
        this.maxLineBytes = maxLineBytes;
        this.initialBacklogBytes = initialBacklogBytes;
        this.lineBytes = new byte[maxLineBytes];
        this.check = check;
        this.sizeAtStart = sizeWithoutFollowing(file);
    }

    /** The size of the file at the path itself (a symlink's own size, never its target's); 0 when absent. */
    private static long sizeWithoutFollowing(Path file) {
        try {
            return java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).size();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** How long the unterminated last line of a rotated-away file may still grow before it is returned. */
    void setRotatedTailGrace(Duration grace) {
        this.rotatedTailGraceNanos = grace.toNanos();
    }

    public Path path() {
        return path;
    }

    /**
     * The next complete lines, at most {@code maxLines}, in file order (a rotated-away file's lines
     * before the new file's). Never blocks; empty when there is nothing new or the file is missing.
     * I/O errors are logged (once until they change) and retried at the next call.
     */
    public List<RawLine> poll(int maxLines) {
        if (maxLines <= 0) {
            throw new IllegalArgumentException("maxLines must be positive, was " + maxLines);
        }
        if (closed) {
            throw new IllegalStateException("tailer of " + path + " is closed");
        }
        List<RawLine> out = new ArrayList<>(Math.min(maxLines, 1024));
        try {
            TailedFile.Key atPath = statPath();
            if (current == null) {
                if (!started) {
                    openFirst(atPath);
                } else if (atPath != null) {
                    TailedFile f = TailedFile.open(path, check);
                    if (f != null) {
                        switchTo(f, 0);
                    }
                }
                if (current == null) {
                    return out;
                }
            }
            checkForRotationOrTruncation(atPath);
            while (out.size() < maxLines) {
                readLines(out, maxLines);
                if (out.size() >= maxLines || !rotatedAway || !finishRotated(out)) {
                    break;
                }
                TailedFile next = TailedFile.open(path, check);
                current.close();
                current = null;
                if (next == null) {
                    break;
                }
                switchTo(next, 0);
                LOG.info(() -> "Now following the new " + path + " from its start (" + idText(next.key()) + ")");
            }
            lastWarning = null;
        } catch (RefusedLogFileException e) {
            // Said once (not every poll); the refused file is never opened, so nothing of it is read.
            warnOnce(e.getMessage());
        } catch (IOException e) {
            warnOnce("Cannot read " + path + ": " + e + ". Will retry at the next poll; nothing is skipped.");
        }
        return out;
    }

    /**
     * Records that everything up to {@code lastShipped.endOffset()} of its file was delivered and
     * persists it, so a restart resumes after it. Call only for lines the collector acknowledged.
     * A failure to persist is logged: the lines would then be sent again after a restart.
     */
    public void commit(RawLine lastShipped) {
        try {
            positions.save(path, lastShipped.fileId(), lastShipped.endOffset());
            if (commitFailing) {
                commitFailing = false;
                LOG.info(() -> "Saving the tail position of " + path + " works again");
            }
        } catch (IOException e) {
            if (!commitFailing) {
                commitFailing = true;
                LOG.log(Level.WARNING, "Cannot save the tail position of " + path + " in "
                        + positions.stateDir() + ": " + e + ". Following goes on, but after a restart the lines "
                        + "since the last saved position are sent again. Check that the state directory is "
                        + "writable and its disk not full.");
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
    }

    // ---- opening -------------------------------------------------------------------------------

    private void openFirst(TailedFile.Key atPath) throws IOException {
        if (saved == null) {
            saved = positions.load(path); // once: a corrupt file is reported once
        }
        if (saved.isPresent() && saved.get().namesFile()) {
            Position p = saved.get();
            TailedFile f = atPath == null ? null : TailedFile.open(path, check);
            if (f != null && f.matches(p.fileId())) {
                long size = f.size();
                if (size < p.offset()) {
                    LOG.info(() -> path + " is shorter (" + size + " bytes) than the saved position " + p.offset()
                            + ": it was truncated while the agent was stopped; reading it from the start");
                    startOn(f, 0);
                } else {
                    startOn(f, p.offset());
                }
                return;
            }
            Path dir = path.toAbsolutePath().getParent();
            TailedFile renamed = dir == null ? null : TailedFile.findIn(dir, p.fileId(), check);
            if (renamed != null) {
                if (f != null) {
                    f.close();
                }
                LOG.info(() -> path + " was rotated while the agent was stopped; reading the rest of "
                        + renamed.name() + " from offset " + p.offset() + ", then the new " + path);
                startOn(renamed, Math.min(p.offset(), sizeOrZero(renamed)));
                rotatedAway = true;
                return;
            }
            if (f == null) {
                return; // neither the saved file nor the path: wait for the path, keep the saved position
            }
            if (f.key().sameAs(p.fileId())) {
                LOG.info(() -> path + " has the saved inode but different first bytes: it was truncated and "
                        + "rewritten, or is a new file reusing the inode; reading it from the start");
            } else {
                LOG.info(() -> "The file last read at " + path + " (" + idText(p.fileId()) + ") is gone (rotated "
                        + "and removed while the agent was stopped); reading the current " + path + " from the start");
            }
            startOn(f, 0);
            return;
        }
        TailedFile f = atPath == null ? null : TailedFile.open(path, check);
        if (f == null) {
            createdWhileFollowed = true;
            return;
        }
        if (saved.isPresent()) { // corrupt position: the store already warned
            startOn(f, 0);
            return;
        }
        if (createdWhileFollowed) {
            // Everything in it was written since this tailer started: none of it is old history.
            LOG.info(() -> path + " was created while the agent follows it: reading it from its start");
            startOn(f, 0);
            return;
        }
        long size = f.size();
        long history = Math.min(size, sizeAtStart);
        if (history > initialBacklogBytes) {
            long from = history - initialBacklogBytes;
            LOG.info(() -> "First time following " + path + ": reading only the last " + initialBacklogBytes
                    + " bytes of the " + history + " it held when the agent started (from the first line boundary after offset "
                    + from + "), and everything written since");
            startOn(f, from);
            // A window that does not begin right after a newline begins mid-line: drop that fragment.
            skipToNewline = !byteBeforeIsNewline(f, from);
        } else {
            startOn(f, 0);
        }
    }

    private void startOn(TailedFile f, long offset) {
        started = true;
        switchTo(f, offset);
    }

    private void switchTo(TailedFile f, long offset) {
        current = f;
        rotatedAway = false;
        resetReadState(offset);
    }

    private void resetReadState(long offset) {
        readPos = offset;
        pos = 0;
        limit = 0;
        lastSize = -1;
        lineStart = -1;
        pendingLength = 0;
        kept = 0;
        skipToNewline = false;
        afterNulRun = false;
        rotatedTailSize = -1;
    }

    private static boolean byteBeforeIsNewline(TailedFile f, long offset) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return f.channel().read(one, offset - 1) == 1 && one.get(0) == '\n';
    }

    private static long sizeOrZero(TailedFile f) {
        try {
            return f.size();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---- watching the path ---------------------------------------------------------------------

    /** Stats the path, logging once when it goes missing and once when it is back. */
    private TailedFile.Key statPath() throws IOException {
        TailedFile.Key k = TailedFile.Key.of(path);
        if (k == null && !pathMissing) {
            pathMissing = true;
            if (current != null) {
                LOG.info(() -> path + " disappeared (rotation in progress?); finishing the file already open, "
                        + "then waiting for " + path + " to be created again");
            } else {
                LOG.info(() -> path + " does not exist yet; will start following it when it is created");
            }
        } else if (k != null && pathMissing) {
            pathMissing = false;
            LOG.info(() -> path + " exists again (" + idText(k) + ")");
        }
        return k;
    }

    private void checkForRotationOrTruncation(TailedFile.Key atPath) throws IOException {
        if (rotatedAway || atPath == null) {
            return;
        }
        if (!atPath.equals(current.key())) {
            rotatedAway = true;
            LOG.info(() -> path + " was rotated (now " + idText(atPath) + "); finishing the old file ("
                    + idText(current.key()) + ") first");
            return;
        }
        long size = current.size();
        if (size == lastSize) {
            return;
        }
        boolean shrunk = size < readPos;
        if (shrunk || !current.headUnchanged()) {
            long was = readPos;
            LOG.info(() -> path + " was truncated (copytruncate?): " + (shrunk ? "size " + size + " < " + was
                    + " bytes read" : "its first bytes changed") + "; reading it again from the start");
            current.forgetHead();
            resetReadState(0);
        } else {
            current.readHead(TailedFile.HEAD_BYTES);
        }
        lastSize = size;
    }

    /**
     * At the end of a rotated-away file: returns the unterminated last line once it stopped growing
     * for the grace period. False while waiting for that.
     */
    private boolean finishRotated(List<RawLine> out) throws IOException {
        if (lineStart < 0) {
            return true;
        }
        long now = System.nanoTime();
        if (rotatedTailSize != readPos) {
            rotatedTailSize = readPos;
            rotatedTailSince = now;
        }
        if (now - rotatedTailSince < rotatedTailGraceNanos) {
            return false;
        }
        emit(out, lineBytes, 0, kept, pendingLength, pendingLastByte, lineStart, readPos);
        return true;
    }

    // ---- reading lines -------------------------------------------------------------------------

    /** Reads lines of `current` into out until maxLines or the end of the file. */
    private void readLines(List<RawLine> out, int maxLines) throws IOException {
        final byte[] b = bytes;
        while (out.size() < maxLines) {
            if (pos == limit) {
                buffer.clear();
                int n = current.channel().read(buffer, readPos);
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
                emit(out, b, pos, len, len, len > 0 ? b[nl - 1] : 0, lineStart, end);
            } else {
                append(b, pos, nl - pos);
                emit(out, lineBytes, 0, kept, pendingLength, pendingLastByte, lineStart, end);
            }
            pos = nl + 1;
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
    private void emit(List<RawLine> out, byte[] src, int off, int keptLen, long length, byte lastByte,
                      long start, long end) throws IOException {
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
            out.add(new RawLine(current.identityFor(end), current.name(), start, end, text, truncated));
        }
        lineStart = -1;
        pendingLength = 0;
        kept = 0;
        afterNulRun = false;
        rotatedTailSize = -1;
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

    // ---- messages ------------------------------------------------------------------------------

    private void warnOnce(String message) {
        if (!message.equals(lastWarning)) {
            lastWarning = message;
            LOG.warning(message);
        }
    }

    private static String idText(TailedFile.Key k) {
        return "device " + k.device() + ", inode " + k.inode();
    }

    private static String idText(FileIdentity id) {
        return "device " + id.getDevice() + ", inode " + id.getInode();
    }
}
