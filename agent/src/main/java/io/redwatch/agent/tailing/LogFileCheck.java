package io.redwatch.agent.tailing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Which files the tailer may read. Whatever the agent reads from redis.log ends up in PostgreSQL and
 * in pages, and the agent runs with {@code CAP_DAC_READ_SEARCH}: a redis user who could aim the log
 * path at another file (a symlink to /etc/shadow, a hard link to a root-owned file) would otherwise
 * have the agent ship that file's contents.
 *
 * <p>So the path is never followed when it is a symbolic link, wherever the link points (a link
 * within the log directory gains nothing over naming the real file, and telling "within" apart is
 * itself a race), it must be a regular file, and — unless this check is built with
 * {@link #regularFilesOnly()} — it must be owned by the user the Redis process runs as, or by the
 * user configured as {@code redis[].log_owner}.
 */
public final class LogFileCheck {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    private final boolean checkOwner;
    private final Supplier<OptionalInt> redisUid;
    private final String configuredOwner;

    private LogFileCheck(boolean checkOwner, Supplier<OptionalInt> redisUid, String configuredOwner) {
        this.checkOwner = checkOwner;
        this.redisUid = redisUid;
        this.configuredOwner = configuredOwner == null ? "" : configuredOwner.trim();
    }

    /** No symbolic links, regular files only, any owner: for files the user named on purpose. */
    public static LogFileCheck regularFilesOnly() {
        return new LogFileCheck(false, OptionalInt::empty, "");
    }

    /**
     * @param redisUid        the filesystem uid of the watched Redis process, empty while unknown
     * @param configuredOwner {@code redis[].log_owner}: a user name or numeric uid, or empty
     */
    public static LogFileCheck ownedBy(Supplier<OptionalInt> redisUid, String configuredOwner) {
        return new LogFileCheck(true, redisUid, configuredOwner);
    }

    /**
     * Checks {@code path} without following it and returns its device and inode, or null when it
     * does not exist.
     *
     * @throws RefusedLogFileException when it must not be read, saying why and what to do
     */
    TailedFile.Key admit(Path path) throws IOException {
        Map<String, Object> a = TailedFile.Key.attributes(path, "unix:ino,dev,mode,uid");
        if (a == null) {
            return null;
        }
        int type = ((Number) a.get("mode")).intValue() & S_IFMT;
        if (type == S_IFLNK) {
            throw new RefusedLogFileException("Not reading " + path + ": it is a symbolic link (to " + linkTarget(path)
                    + "), and the agent never follows links in the log path, so nobody can point it at another "
                    + "file. Set log_file to the real file, or make " + path + " a regular file again.");
        }
        if (type != S_IFREG) {
            throw new RefusedLogFileException("Not reading " + path + ": it is not a regular file. Set log_file "
                    + "to Redis's log file (CONFIG GET logfile).");
        }
        if (checkOwner) {
            checkOwner(path, ((Number) a.get("uid")).intValue());
        }
        return new TailedFile.Key(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
    }

    private void checkOwner(Path path, int uid) throws IOException {
        if (!configuredOwner.isEmpty()) {
            if (configuredOwner.equals(Integer.toString(uid)) || configuredOwner.equals(ownerName(path))) {
                return;
            }
        }
        OptionalInt redis = redisUid.get();
        if (redis.isPresent() && redis.getAsInt() == uid) {
            return;
        }
        String owner = "uid " + uid + nameSuffix(path);
        if (redis.isEmpty() && configuredOwner.isEmpty()) {
            throw new RefusedLogFileException("Not reading " + path + " yet: it is owned by " + owner + ", and the "
                    + "Redis process whose user it must belong to was not found on this host (Redis down, or not "
                    + "running here). It is read once that process is seen; to read it now, set redis[].log_owner "
                    + "to the user that writes it.");
        }
        String expected = (redis.isPresent() ? "the Redis process's user (uid " + redis.getAsInt() + ")" : "")
                + (redis.isPresent() && !configuredOwner.isEmpty() ? " or " : "")
                + (configuredOwner.isEmpty() ? "" : "log_owner '" + configuredOwner + "'");
        throw new RefusedLogFileException("Not reading " + path + ": it is owned by " + owner + ", not by "
                + expected + ", so it may not be the log Redis writes. If it is, give it to that user "
                + "(chown) or set redis[].log_owner to its owner.");
    }

    private static String ownerName(Path path) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException e) {
            return "";
        }
    }

    private static String nameSuffix(Path path) {
        String name = ownerName(path);
        return name.isEmpty() || name.chars().allMatch(Character::isDigit) ? "" : " (" + name + ")";
    }

    private static String linkTarget(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException e) {
            return "an unreadable target";
        }
    }
}
