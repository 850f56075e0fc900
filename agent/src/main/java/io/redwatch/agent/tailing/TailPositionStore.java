package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.FileIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * Remembers, per followed path, the identity of the file and the offset up to which its lines were
 * acknowledged by the collector.
 *
 * <p>Each path has its own small text file in the state directory, readable by an operator:
 * <pre>
 * # redwatch tail position
 * version=1
 * path=/var/log/redis/redis.log
 * device=2049
 * inode=1835015
 * fingerprint=5c1f…
 * head_length=1024
 * offset=73421
 * crc32c=1a2b3c4d
 * </pre>
 * A save writes a temporary file, fsyncs it, renames it over the old one and fsyncs the directory,
 * so a crash leaves either the old or the new position, never a mix. A position file that cannot be
 * read or does not check out is reported with a warning and yields
 * {@link Position#startOfCurrentFile()}: the lines are re-sent (the collector drops duplicates)
 * rather than lost, and the agent keeps running.
 *
 * <p>Thread-safe: a shipper may save while a tailer loads another path.
 */
public final class TailPositionStore {
    private static final Logger LOG = Logger.getLogger(TailPositionStore.class.getName());
    private static final String HEADER = "# redwatch tail position";
    private static final int VERSION = 1;

    /**
     * Where a follower resumes.
     *
     * @param fileId the identity of the file the offset belongs to; the default instance when unknown
     * @param offset the first byte not yet acknowledged
     */
    public record Position(FileIdentity fileId, long offset) {
        private static final Position START_OF_CURRENT_FILE = new Position(FileIdentity.getDefaultInstance(), 0);

        /** The position used when the saved one is unusable: offset 0 of whatever file is at the path. */
        public static Position startOfCurrentFile() {
            return START_OF_CURRENT_FILE;
        }

        /** Whether this position names a particular file (false for {@link #startOfCurrentFile()}). */
        public boolean namesFile() {
            return fileId.getInode() != 0
                    || fileId.getDevice() != 0
                    || !fileId.getHeadFingerprint().isEmpty();
        }
    }

    private final Path stateDir;

    public TailPositionStore(Path stateDir) {
        this.stateDir = stateDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    /**
     * The saved position of {@code watched}: empty if none was ever saved; {@link
     * Position#startOfCurrentFile()} (after a warning) if the position file is unreadable or corrupt.
     */
    public synchronized Optional<Position> load(Path watched) {
        Path file = positionFile(watched);
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            warnUnusable(file, watched, "cannot be read (" + e + ")");
            return Optional.of(Position.startOfCurrentFile());
        }
        try {
            return Optional.of(parse(content, watched));
        } catch (IllegalArgumentException e) {
            warnUnusable(file, watched, e.getMessage());
            return Optional.of(Position.startOfCurrentFile());
        }
    }

    /** Durably records that everything before {@code offset} of {@code fileId} at {@code watched} was delivered. */
    public synchronized void save(Path watched, FileIdentity fileId, long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        Files.createDirectories(stateDir);
        Path file = positionFile(watched);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] bytes = format(watched, fileId, offset).getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(
                    "cannot atomically replace " + file + ": the state directory's file system "
                            + "does not support atomic rename; put the agent's state directory on a local file system",
                    e);
        }
        // The rename is durable only once the directory entry is on disk.
        try (FileChannel dir = FileChannel.open(stateDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The file holding the position of {@code watched}: its name plus a hash of its absolute path. */
    Path positionFile(Path watched) {
        String abs = watched.toAbsolutePath().normalize().toString();
        String name =
                watched.getFileName() == null ? "root" : watched.getFileName().toString();
        name = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String hash = HexFormat.of().formatHex(sha256(abs.getBytes(StandardCharsets.UTF_8)), 0, 6);
        return stateDir.resolve("tail-" + name + "-" + hash + ".pos");
    }

    private static String format(Path watched, FileIdentity id, long offset) {
        String body = HEADER + "\n"
                + "version=" + VERSION + "\n"
                + "path=" + watched.toAbsolutePath().normalize() + "\n"
                + "device=" + Long.toUnsignedString(id.getDevice()) + "\n"
                + "inode=" + Long.toUnsignedString(id.getInode()) + "\n"
                + "fingerprint=" + id.getHeadFingerprint() + "\n"
                + "head_length=" + Integer.toUnsignedString(id.getHeadLength()) + "\n"
                + "offset=" + offset + "\n";
        return body + "crc32c=" + crcHex(body) + "\n";
    }

    private static Position parse(String content, Path watched) {
        int crcAt = content.lastIndexOf("crc32c=");
        if (!content.startsWith(HEADER) || crcAt < 0) {
            throw new IllegalArgumentException("it is not a redwatch tail position file (header or checksum missing)");
        }
        String body = content.substring(0, crcAt);
        String crc = content.substring(crcAt + "crc32c=".length()).strip();
        if (!crc.equals(crcHex(body))) {
            throw new IllegalArgumentException("its checksum does not match its content (torn or edited file)");
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("line '" + line + "' is not key=value");
            }
            fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
        String version = require(fields, "version");
        if (!version.equals(Integer.toString(VERSION))) {
            throw new IllegalArgumentException("it has version " + version + ", this agent reads version " + VERSION);
        }
        String path = require(fields, "path");
        String expected = watched.toAbsolutePath().normalize().toString();
        if (!path.equals(expected)) {
            throw new IllegalArgumentException("it belongs to " + path + ", not " + expected);
        }
        try {
            FileIdentity id = FileIdentity.newBuilder()
                    .setDevice(Long.parseUnsignedLong(require(fields, "device")))
                    .setInode(Long.parseUnsignedLong(require(fields, "inode")))
                    .setHeadFingerprint(require(fields, "fingerprint"))
                    .setHeadLength(Integer.parseUnsignedInt(require(fields, "head_length")))
                    .build();
            long offset = Long.parseLong(require(fields, "offset"));
            if (offset < 0) {
                throw new IllegalArgumentException("its offset is negative (" + offset + ")");
            }
            return new Position(id, offset);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number in it is malformed (" + e.getMessage() + ")");
        }
    }

    private static String require(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("field '" + key + "' is missing");
        }
        return v;
    }

    private static void warnUnusable(Path file, Path watched, String why) {
        LOG.log(
                Level.WARNING,
                () -> "Tail position file " + file + " for " + watched + " is unusable: " + why
                        + ". Resuming from the start of the current " + watched + "; lines already sent will be sent "
                        + "again (the collector drops duplicates). The file is replaced at the next acknowledged batch.");
    }

    private static String crcHex(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        // Not String.format: java.util.Formatter is otherwise never loaded by the running agent (issue 11).
        String hex = Long.toHexString(crc.getValue());
        return "0".repeat(8 - hex.length()) + hex;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
