package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.FileIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * An open log file: its channel, device and inode, and the bytes of its head (up to
 * {@link #HEAD_BYTES}) from which its {@link FileIdentity} is derived.
 *
 * <p>The head fingerprint is the first 16 bytes of SHA-256 over the head, in hex: enough to tell a
 * truncated-and-rewritten file or a new file reusing an inode from the one we knew.
 */
final class TailedFile implements Closeable {
    static final int HEAD_BYTES = 1024;

    /** Device and inode of a path, as the kernel reports them. */
    record Key(long device, long inode) {
        /**
         * Stats {@code path} itself, not what a symlink there points to (a link that replaces the
         * file is then a new inode, like a rotation, and its opening is refused); null if it does not
         * exist.
         */
        static Key of(Path path) throws IOException {
            Map<String, Object> attrs = attributes(path, "unix:ino,dev");
            return attrs == null
                    ? null
                    : new Key(((Number) attrs.get("dev")).longValue(), ((Number) attrs.get("ino")).longValue());
        }

        /** The unix attributes of {@code path} itself (never following a link); null if it does not exist. */
        static Map<String, Object> attributes(Path path, String names) throws IOException {
            try {
                return Files.readAttributes(path, names, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null;
            } catch (UnsupportedOperationException e) {
                throw new IOException(
                        "cannot read the inode of " + path + ": this platform has no unix file "
                                + "attributes (the tailer needs Linux or another Unix)",
                        e);
            }
        }

        boolean sameAs(FileIdentity id) {
            return device == id.getDevice() && inode == id.getInode();
        }
    }

    private final FileChannel channel;
    private final Key key;
    private final String name;
    private final byte[] head = new byte[HEAD_BYTES];
    private int headLength;
    private final ByteBuffer scratch = ByteBuffer.allocate(HEAD_BYTES);
    private FileIdentity fullIdentity;
    private FileIdentity shortIdentity;

    private TailedFile(FileChannel channel, Key key, String name) {
        this.channel = channel;
        this.key = key;
        this.name = name;
    }

    /**
     * Opens {@code path}, making sure the inode we report is the one we opened (the path may be
     * renamed between a stat and an open). Returns null if the path does not exist.
     *
     * <p>The open itself refuses a symlink (O_NOFOLLOW), so a link swapped in between the check
     * and the open fails instead of being followed.
     *
     * @throws RefusedLogFileException when {@code check} refuses the file
     */
    static TailedFile open(Path path, LogFileCheck check) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            Key before = check.admit(path);
            if (before == null) {
                return null;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            } catch (FileSystemException e) {
                if (Files.isSymbolicLink(path)) {
                    continue; // replaced by a link after the check: the next attempt's check says so
                }
                throw e;
            }
            if (before.equals(Key.of(path))) {
                TailedFile f = new TailedFile(ch, before, path.toString());
                try {
                    f.readHead(HEAD_BYTES);
                } catch (IOException e) {
                    f.close();
                    throw e;
                }
                return f;
            }
            ch.close();
        }
        throw new IOException(path + " keeps being replaced while it is opened; will retry");
    }

    /**
     * Looks in {@code dir} for the file {@code id} names (same device and inode, same head), e.g.
     * redis.log renamed to redis.log.1 while the agent was stopped. Returns null if there is none.
     */
    static TailedFile findIn(Path dir, FileIdentity id, LogFileCheck check) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Key k = Key.of(entry);
                if (k == null || !k.sameAs(id) || !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                TailedFile f;
                try {
                    f = open(entry, check);
                } catch (RefusedLogFileException e) {
                    continue; // the same inode, now someone else's: not the file we were reading
                }
                if (f != null && f.matches(id)) {
                    return f;
                }
                if (f != null) {
                    f.close();
                }
            }
        }
        return null;
    }

    Key key() {
        return key;
    }

    String name() {
        return name;
    }

    FileChannel channel() {
        return channel;
    }

    long size() throws IOException {
        return channel.size();
    }

    /** Whether this is the file {@code id} names: same device and inode, and the same first bytes. */
    boolean matches(FileIdentity id) throws IOException {
        int n = id.getHeadLength();
        if (!key.sameAs(id) || n > HEAD_BYTES) {
            return false;
        }
        readHead(n);
        return headLength >= n && fingerprint(head, n).equals(id.getHeadFingerprint());
    }

    /**
     * Whether the bytes we already know of the head are still there. False means the file was
     * truncated and rewritten (copytruncate) since we read its head.
     */
    boolean headUnchanged() throws IOException {
        if (headLength == 0) {
            return true;
        }
        scratch.clear().limit(headLength);
        while (scratch.hasRemaining()) {
            if (channel.read(scratch, scratch.position()) < 0) {
                return false;
            }
        }
        return Arrays.equals(head, 0, headLength, scratch.array(), 0, headLength);
    }

    /** Drops what we knew of the head: the file was truncated, its first bytes are new. */
    void forgetHead() throws IOException {
        headLength = 0;
        fullIdentity = null;
        shortIdentity = null;
        readHead(HEAD_BYTES);
    }

    /** Reads more of the head, up to {@code n} bytes, as far as the file now reaches. */
    void readHead(int n) throws IOException {
        if (headLength >= n) {
            return;
        }
        ByteBuffer dst = ByteBuffer.wrap(head, headLength, n - headLength);
        while (dst.hasRemaining()) {
            int r = channel.read(dst, dst.position());
            if (r <= 0) {
                break;
            }
        }
        headLength = dst.position();
    }

    /**
     * The identity for a line ending at {@code endOffset}: over the first {@code min(1024, endOffset)}
     * bytes, so it depends only on content the line's reader has seen, and re-reading gives the same.
     */
    FileIdentity identityFor(long endOffset) throws IOException {
        if (endOffset >= HEAD_BYTES && fullIdentity != null) {
            return fullIdentity;
        }
        int n = (int) Math.min(HEAD_BYTES, endOffset);
        if (shortIdentity != null && shortIdentity.getHeadLength() == n) {
            return shortIdentity;
        }
        readHead(n);
        n = Math.min(n, headLength);
        FileIdentity id = FileIdentity.newBuilder()
                .setDevice(key.device())
                .setInode(key.inode())
                .setHeadFingerprint(fingerprint(head, n))
                .setHeadLength(n)
                .build();
        if (n == HEAD_BYTES) {
            fullIdentity = id;
        } else {
            shortIdentity = id;
        }
        return id;
    }

    static String fingerprint(byte[] bytes, int length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bytes, 0, length);
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
