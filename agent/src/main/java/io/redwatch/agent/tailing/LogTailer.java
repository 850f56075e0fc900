package io.redwatch.agent.tailing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows one log file (redis.log) by path and hands out its complete lines, surviving rotation,
 * truncation and agent restarts. This class follows the path; {@link TailStart} decides where the
 * first read begins (saved position, rotation while stopped, first-install backlog cap) and
 * {@link LineReader} cuts the bytes of the open file into lines.
 *
 * <h2>Rotation and truncation</h2>
 * <ul>
 * <li>Rename (logrotate {@code create}): when the path names another inode, the open channel of the
 *     old file is read to its end, then the new file is followed from offset 0. An unterminated last
 *     line of the old file is returned once the old file has not grown for a grace period (1 s), since
 *     its newline can no longer arrive (see {@link RotatedTailGrace}).</li>
 * <li>copytruncate: the same inode, but smaller than what was read or with different first bytes →
 *     read again from offset 0.</li>
 * <li>An inode reused by a new file is told apart by its head fingerprint.</li>
 * </ul>
 *
 * <p>{@link #poll} must be called from one thread at a time; {@link #commit} may be called from
 * another (e.g. the shipper's acknowledgement callback).
 */
public final class LogTailer implements AutoCloseable {
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;
    public static final long DEFAULT_INITIAL_BACKLOG_BYTES = 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(LogTailer.class.getName());

    private final Path path;
    private final TailPositionStore positions;
    private final LogFileCheck check;
    private final TailStart start;
    private final LineReader reader;
    private final RotatedTailGrace rotatedTailGrace;

    private TailedFile current;
    private boolean started;
    private boolean rotatedAway;
    private boolean pathMissing;
    private boolean closed;
    /** Size of `current` at the last truncation check; -1 after a switch. */
    private long lastSize = -1;

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
    public LogTailer(
            Path file, TailPositionStore positions, int maxLineBytes, long initialBacklogBytes, LogFileCheck check) {
        this(file, positions, maxLineBytes, initialBacklogBytes, check, System::nanoTime);
    }

    /** @param nanoTime the clock that times the rotated-file grace period (tests drive their own) */
    LogTailer(
            Path file,
            TailPositionStore positions,
            int maxLineBytes,
            long initialBacklogBytes,
            LogFileCheck check,
            LongSupplier nanoTime) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive, was " + maxLineBytes);
        }
        if (initialBacklogBytes < 0) {
            throw new IllegalArgumentException("initialBacklogBytes must be >= 0, was " + initialBacklogBytes);
        }
        this.path = file;
        this.positions = positions;
        this.check = check;
        this.start = new TailStart(file, positions, check, initialBacklogBytes);
        this.reader = new LineReader(maxLineBytes);
        this.rotatedTailGrace = new RotatedTailGrace(nanoTime);
    }

    /** How long the unterminated last line of a rotated-away file may still grow before it is returned. */
    void setRotatedTailGrace(Duration grace) {
        rotatedTailGrace.setGrace(grace);
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
                reader.readLines(current, out, maxLines);
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
                LOG.log(
                        Level.WARNING,
                        "Cannot save the tail position of " + path + " in "
                                + positions.stateDir() + ": " + e
                                + ". Following goes on, but after a restart the lines "
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

    // ---- switching files -----------------------------------------------------------------------

    private void openFirst(TailedFile.Key atPath) throws IOException {
        TailStart.Start s = start.find(atPath);
        if (s == null) {
            return;
        }
        started = true;
        switchTo(s.file(), s.offset());
        if (s.midLine()) {
            reader.skipPartialFirstLine();
        }
        rotatedAway = s.rotatedAway();
    }

    private void switchTo(TailedFile f, long offset) {
        current = f;
        rotatedAway = false;
        restartAt(offset);
    }

    private void restartAt(long offset) {
        reader.restart(offset);
        lastSize = -1;
        rotatedTailGrace.reset();
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
        boolean shrunk = size < reader.readPos();
        if (shrunk || !current.headUnchanged()) {
            long was = reader.readPos();
            LOG.info(() -> path + " was truncated (copytruncate?): "
                    + (shrunk ? "size " + size + " < " + was + " bytes read" : "its first bytes changed")
                    + "; reading it again from the start");
            current.forgetHead();
            restartAt(0);
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
        long lineStart = reader.pendingLineStart();
        if (lineStart < 0) {
            return true;
        }
        if (!rotatedTailGrace.over(lineStart, reader.readPos())) {
            return false;
        }
        reader.emitPendingLine(current, out);
        rotatedTailGrace.reset();
        return true;
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
}
