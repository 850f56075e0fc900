package io.redwatch.collector.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The redis.log a test writes and an agent follows: lines in Redis's own format
 * ({@code 4242:M 21 Nov 2026 10:00:00.123 * ...}) so they parse, each carrying a unique sequence
 * number ({@code seq=0000042}) so the database can be checked for every line once and in order.
 * It remembers where each line went (inode, start and end offset).
 *
 * <p>Two ways of writing, as real writers do: {@link #appending} opens the file with O_APPEND for
 * each write, as Redis does; {@link #positional} keeps one descriptor and writes at its own
 * position, so after someone else truncates the file its next write leaves a hole of NUL bytes.
 */
final class RedisLog {
    private static final DateTimeFormatter REDIS_TIME =
            DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ROOT);
    private static final String PADDING = "fault injection keeps every line once and in order";

    /** Where line {@code seq} was written. */
    record Span(long inode, long start, long end) {}

    private final Path path;
    private final FileChannel positional;
    private final List<Span> spans = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private String partial;

    private RedisLog(Path path, FileChannel positional) {
        this.path = path;
        this.positional = positional;
    }

    static RedisLog appending(Path path) {
        return new RedisLog(path, null);
    }

    static RedisLog positional(Path path) {
        try {
            return new RedisLog(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return path;
    }

    /** The Redis-format start of line {@code seq}, up to and including its sequence number. */
    static String prefix(int seq) {
        return "4242:M " + LocalDateTime.now().format(REDIS_TIME) + " * fault-test seq=" + String.format("%07d", seq);
    }

    /** Appends {@code n} ordinary lines (about 110 bytes each); returns the last sequence number. */
    synchronized int append(int n) {
        StringBuilder b = new StringBuilder(n * 120);
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String line = prefix(texts.size() + lines.size() + 1) + " " + PADDING;
            lines.add(line);
            b.append(line).append('\n');
        }
        long start = write(b.toString().getBytes(StandardCharsets.UTF_8));
        long inode = inode();
        for (String line : lines) {
            long end = start + line.getBytes(StandardCharsets.UTF_8).length + 1;
            spans.add(new Span(inode, start, end));
            texts.add(line);
            start = end;
        }
        return texts.size();
    }

    /**
     * Appends one line of raw bytes (without its newline) as line {@code written() + 1}; {@code expected}
     * is what the test expects to read back for it.
     */
    synchronized int appendBytes(byte[] content, String expected) {
        byte[] withNewline = new byte[content.length + 1];
        System.arraycopy(content, 0, withNewline, 0, content.length);
        withNewline[content.length] = '\n';
        long start = write(withNewline);
        spans.add(new Span(inode(), start, start + withNewline.length));
        texts.add(expected);
        return texts.size();
    }

    /** Writes the first part of the next line, without its newline. */
    synchronized void appendPartial(String firstPart) {
        if (partial != null) throw new IllegalStateException("a partial line is already pending");
        partial = firstPart;
        write(firstPart.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the rest of the pending partial line and its newline; returns its sequence number. */
    synchronized int completePartial(String rest) {
        byte[] first = partial.getBytes(StandardCharsets.UTF_8);
        long start = write((rest + "\n").getBytes(StandardCharsets.UTF_8)) - first.length;
        String line = partial + rest;
        partial = null;
        spans.add(new Span(inode(), start, start + line.getBytes(StandardCharsets.UTF_8).length + 1));
        texts.add(line);
        return texts.size();
    }

    /** logrotate's default: rename the file; the next write creates a new one at the path. */
    synchronized void renameTo(Path rotated) {
        if (positional != null) throw new IllegalStateException("a positional writer keeps writing the renamed file");
        try {
            Files.move(path, rotated, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** logrotate's copytruncate: copy the file, then truncate it in place (same inode). */
    synchronized void copyTruncate(Path copy) {
        try {
            Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
            truncate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Truncates the file to 0 bytes through another descriptor, as an operator's {@code > redis.log} does. */
    synchronized void truncate() {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized int written() {
        return texts.size();
    }

    synchronized String text(int seq) {
        return texts.get(seq - 1);
    }

    synchronized Span span(int seq) {
        return spans.get(seq - 1);
    }

    /** Writes bytes at the end (appending) or at the writer's own position; returns where they start. */
    private long write(byte[] bytes) {
        try {
            if (positional != null) {
                long start = positional.position();
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) positional.write(buf);
                return start;
            }
            try (FileChannel ch = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                long start = ch.size(); // the test is the only writer, so the end does not move under us
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                return start;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    private long inode() {
        try {
            return ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void close() {
        if (positional != null) {
            try {
                positional.close();
            } catch (IOException e) {
                // test teardown; the file is deleted with its directory
            }
        }
    }
}
