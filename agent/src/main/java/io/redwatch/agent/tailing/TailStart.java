package io.redwatch.agent.tailing;

import io.redwatch.agent.tailing.TailPositionStore.Position;
import io.redwatch.proto.v1.FileIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Decides where a tailer starts reading, once, at its first polls.
 *
 * <p>With a saved position it resumes exactly there: positions are saved only once the collector
 * acknowledged the lines, so after a restart the unacknowledged lines are read again
 * (at-least-once; the collector drops duplicates by file identity and offset). If the agent was
 * stopped during a rotation, the saved file is looked up by device, inode and head fingerprint in
 * the same directory (e.g. redis.log.1) and its remainder is read first.
 *
 * <p>Without a saved position (first install) it reads the current file from the start, because
 * the history already in redis.log is often what explains today's incident (the fork errors before
 * the outage). To keep a multi-gigabyte log from flooding the collector, only the last
 * {@code initialBacklogBytes} of what the file held when the tailer was made are read then
 * (starting at the first line boundary in that window), and everything written since. A saved
 * position that is corrupt means "from the start of the current file", uncapped, and so does a
 * file that did not exist yet when the tailer started: all of it is new.
 */
final class TailStart {
    private static final Logger LOG = Logger.getLogger(TailStart.class.getName());

    /**
     * Where to begin.
     *
     * @param midLine the offset may fall inside a line, whose rest is to be skipped
     * @param rotatedAway the file is no longer at the path: read it to its end, then follow the path
     */
    record Start(TailedFile file, long offset, boolean midLine, boolean rotatedAway) {}

    private final Path path;
    private final TailPositionStore positions;
    private final LogFileCheck check;
    private final long initialBacklogBytes;
    /**
     * How long the file was when the tailer was made: what is older history. The first poll may
     * come much later (the agent first finds the Redis process that must own the log), and the
     * lines written meanwhile are new, not history to cap.
     */
    private final long sizeAtStart;
    /** The position saved by an earlier run; null until loaded. */
    private Optional<Position> saved;
    /** No saved position and no file at the first try: the file that appears later is all new. */
    private boolean createdWhileFollowed;

    TailStart(Path path, TailPositionStore positions, LogFileCheck check, long initialBacklogBytes) {
        this.path = path;
        this.positions = positions;
        this.check = check;
        this.initialBacklogBytes = initialBacklogBytes;
        this.sizeAtStart = sizeWithoutFollowing(path);
    }

    /** The size of the file at the path itself (a symlink's own size, never its target's); 0 when absent. */
    private static long sizeWithoutFollowing(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .size();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Where to start, given what is at the path now ({@code atPath}, null when nothing); null when
     * there is nothing to read yet (call again at the next poll).
     */
    Start find(TailedFile.Key atPath) throws IOException {
        if (saved == null) {
            saved = positions.load(path); // once: a corrupt file is reported once
        }
        if (saved.isPresent() && saved.get().namesFile()) {
            return fromSaved(saved.get(), atPath);
        }
        TailedFile f = atPath == null ? null : TailedFile.open(path, check);
        if (f == null) {
            createdWhileFollowed = true;
            return null;
        }
        if (saved.isPresent()) { // corrupt position: the store already warned
            return new Start(f, 0, false, false);
        }
        if (createdWhileFollowed) {
            // Everything in it was written since this tailer started: none of it is old history.
            LOG.info(() -> path + " was created while the agent follows it: reading it from its start");
            return new Start(f, 0, false, false);
        }
        long size = f.size();
        long history = Math.min(size, sizeAtStart);
        if (history <= initialBacklogBytes) {
            return new Start(f, 0, false, false);
        }
        long from = history - initialBacklogBytes;
        LOG.info(() -> "First time following " + path + ": reading only the last " + initialBacklogBytes
                + " bytes of the " + history
                + " it held when the agent started (from the first line boundary after offset "
                + from + "), and everything written since");
        // A window that does not begin right after a newline begins mid-line: drop that fragment.
        return new Start(f, from, !byteBeforeIsNewline(f, from), false);
    }

    private Start fromSaved(Position p, TailedFile.Key atPath) throws IOException {
        TailedFile f = atPath == null ? null : TailedFile.open(path, check);
        if (f != null && f.matches(p.fileId())) {
            long size = f.size();
            if (size < p.offset()) {
                LOG.info(() -> path + " is shorter (" + size + " bytes) than the saved position " + p.offset()
                        + ": it was truncated while the agent was stopped; reading it from the start");
                return new Start(f, 0, false, false);
            }
            return new Start(f, p.offset(), false, false);
        }
        Path dir = path.toAbsolutePath().getParent();
        TailedFile renamed = dir == null ? null : TailedFile.findIn(dir, p.fileId(), check);
        if (renamed != null) {
            if (f != null) {
                f.close();
            }
            LOG.info(() -> path + " was rotated while the agent was stopped; reading the rest of " + renamed.name()
                    + " from offset " + p.offset() + ", then the new " + path);
            return new Start(renamed, Math.min(p.offset(), sizeOrZero(renamed)), false, true);
        }
        if (f == null) {
            return null; // neither the saved file nor the path: wait for the path, keep the saved position
        }
        if (f.key().sameAs(p.fileId())) {
            LOG.info(() -> path + " has the saved inode but different first bytes: it was truncated and "
                    + "rewritten, or is a new file reusing the inode; reading it from the start");
        } else {
            LOG.info(() -> "The file last read at " + path + " (" + idText(p.fileId()) + ") is gone (rotated "
                    + "and removed while the agent was stopped); reading the current " + path + " from the start");
        }
        return new Start(f, 0, false, false);
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

    private static String idText(FileIdentity id) {
        return "device " + id.getDevice() + ", inode " + id.getInode();
    }
}
