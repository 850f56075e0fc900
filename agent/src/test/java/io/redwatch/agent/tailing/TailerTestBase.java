package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.FileIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log directory for tailer tests: {@code redis.log} in a fresh directory, a position store, the
 * tailers made (closed after each test) and the log messages they wrote.
 */
abstract class TailerTestBase {
    @TempDir
    Path dir;

    Path log;
    TailPositionStore store;
    final List<LogTailer> open = new ArrayList<>();
    /** What the tailer and its position store told the operator. */
    CapturedLog messages;

    List<LogRecord> records;

    @BeforeEach
    void setUp() {
        log = dir.resolve("redis.log");
        store = new TailPositionStore(dir.resolve("state"));
        messages = CapturedLog.of(LogTailer.class, TailStart.class, TailPositionStore.class);
        records = messages.records();
    }

    @AfterEach
    void tearDown() throws IOException {
        messages.close();
        for (LogTailer t : open) {
            t.close();
        }
    }

    LogTailer tailer() {
        return tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES);
    }

    LogTailer tailer(int maxLineBytes, long backlog) {
        return tailer(maxLineBytes, backlog, System::nanoTime);
    }

    /** A tailer whose rotated-file grace period is timed by {@code nanoTime}. */
    LogTailer tailer(LongSupplier nanoTime) {
        return tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES, nanoTime);
    }

    private LogTailer tailer(int maxLineBytes, long backlog, LongSupplier nanoTime) {
        LogTailer t = new LogTailer(log, store, maxLineBytes, backlog, LogFileCheck.regularFilesOnly(), nanoTime);
        open.add(t);
        return t;
    }

    static List<RawLine> drain(LogTailer t) {
        List<RawLine> all = new ArrayList<>();
        for (List<RawLine> batch = t.poll(1000); !batch.isEmpty(); batch = t.poll(1000)) {
            all.addAll(batch);
        }
        return all;
    }

    static List<String> texts(List<RawLine> lines) {
        return lines.stream().map(RawLine::text).toList();
    }

    long count(String fragment) {
        return messages.count(fragment);
    }

    FileIdentity identityOfFirstLine(Path p) throws IOException {
        try (LogTailer t = new LogTailer(p, new TailPositionStore(dir.resolve("other-state")))) {
            return t.poll(1).get(0).fileId();
        }
    }

    static List<String> seedLines() throws IOException {
        try (InputStream in = TailerTestBase.class.getResourceAsStream("/tailing/redis-seed.log")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    static long inode(Path p) throws IOException {
        return (Long) Files.getAttribute(p, "unix:ino");
    }

    static void write(Path p, String s) throws IOException {
        write(p, s.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path p, byte[] b) throws IOException {
        Files.write(p, b);
    }

    static void append(Path p, String s) throws IOException {
        append(p, s.getBytes(StandardCharsets.UTF_8));
    }

    static void append(Path p, byte[] b) throws IOException {
        Files.write(p, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void truncate(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
