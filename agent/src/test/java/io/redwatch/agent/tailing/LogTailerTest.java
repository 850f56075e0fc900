package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.FileIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTailerTest {
    @TempDir
    Path dir;
    Path log;
    TailPositionStore store;
    final List<LogTailer> open = new ArrayList<>();
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        log = dir.resolve("redis.log");
        store = new TailPositionStore(dir.resolve("state"));
        Logger.getLogger(LogTailer.class.getName()).addHandler(capture);
        Logger.getLogger(TailPositionStore.class.getName()).addHandler(capture);
    }

    @AfterEach
    void tearDown() throws IOException {
        Logger.getLogger(LogTailer.class.getName()).removeHandler(capture);
        Logger.getLogger(TailPositionStore.class.getName()).removeHandler(capture);
        for (LogTailer t : open) {
            t.close();
        }
    }

    // ---- start ---------------------------------------------------------------------------------

    @Test
    void firstSightReadsTheHistoryOfASmallFileFromItsStart() throws IOException {
        List<String> seed = seedLines();
        write(log, String.join("\n", seed) + "\n");

        List<RawLine> lines = drain(tailer());

        assertEquals(seed, texts(lines));
        assertEquals(0, lines.get(0).offset());
        for (int i = 1; i < lines.size(); i++) {
            assertEquals(lines.get(i - 1).endOffset(), lines.get(i).offset(), "offsets are contiguous");
        }
        assertEquals(Files.size(log), lines.get(lines.size() - 1).endOffset());
        assertEquals(log.toString(), lines.get(0).file());
    }

    @Test
    void linesWrittenBetweenTheAgentsStartAndItsFirstPollAreNewNotHistoryToCap() throws IOException {
        // The agent polls a log only once it has found the Redis process that must own it; what
        // Redis wrote meanwhile is new and all of it is read, however much it is.
        List<String> seed = seedLines();
        write(log, seed.get(0) + "\n");
        LogTailer tailer = tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, 4096);
        StringBuilder sb = new StringBuilder(seed.get(0)).append('\n');
        List<String> expected = new ArrayList<>(List.of(seed.get(0)));
        for (int i = 0; sb.length() < 50_000; i++) {
            sb.append(seed.get(i % seed.size())).append('\n');
            expected.add(seed.get(i % seed.size()));
        }
        write(log, sb.toString());

        assertEquals(expected, texts(drain(tailer)));
    }

    @Test
    void firstSightOfALargeFileReadsOnlyTheLastWindowStartingAtALineBoundary() throws IOException {
        List<String> seed = seedLines();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 50_000; i++) {
            sb.append(seed.get(i % seed.size())).append('\n');
        }
        write(log, sb.toString());
        long size = Files.size(log);
        int window = 4096;

        List<RawLine> lines = drain(tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, window));

        // Expected: every whole line that starts inside the window.
        byte[] content = Files.readAllBytes(log);
        List<String> expected = new ArrayList<>();
        int lineStart = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                if (lineStart >= size - window) {
                    expected.add(new String(content, lineStart, i - lineStart, StandardCharsets.UTF_8));
                }
                lineStart = i + 1;
            }
        }
        assertEquals(expected, texts(lines));
        assertEquals('\n', content[(int) lines.get(0).offset() - 1]);
        assertTrue(records.stream().anyMatch(r -> r.getMessage().contains("First time following")));
    }

    @Test
    void aFileCreatedAfterTheTailerStartedIsReadFromItsStartHoweverLarge() throws IOException {
        LogTailer t = tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, 4096);
        assertTrue(t.poll(1000).isEmpty(), "nothing to follow yet");
        List<String> seed = seedLines();
        List<String> written = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 50_000; i++) {
            written.add(seed.get(i % seed.size()));
            sb.append(seed.get(i % seed.size())).append('\n');
        }
        write(log, sb.toString()); // far more than the first-sight window, before the next poll

        List<String> read = texts(drain(t));
        assertEquals(written.size(), read.size(), "none of a file born while followed is skipped as old history");
        assertEquals(written, read);
    }

    @Test
    void corruptPositionFileIsReportedAndTheCurrentFileIsReadFromItsStartUncapped() throws IOException {
        List<String> seed = seedLines();
        write(log, String.join("\n", seed) + "\n");
        Files.createDirectories(store.stateDir());
        Files.writeString(store.positionFile(log), "# redwatch tail position\nversion=1\noffs\u0000et=12");

        List<RawLine> lines = drain(tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, 100));

        assertEquals(seed, texts(lines));
        assertTrue(records.stream().anyMatch(r -> r.getMessage().contains("is unusable")));
    }

    // ---- lines ---------------------------------------------------------------------------------

    @Test
    void crlfLineEndingsLoseTheirCarriageReturn() throws IOException {
        write(log, "1:M 06 Mar 15:28:27.766 * DB saved on disk\r\n\r\nplain\n");

        List<RawLine> lines = drain(tailer());

        assertEquals(List.of("1:M 06 Mar 15:28:27.766 * DB saved on disk", "", "plain"), texts(lines));
        assertEquals(lines.get(0).text().length() + 2, lines.get(0).endOffset());
        assertEquals(lines.get(0).endOffset(), lines.get(1).offset());
    }

    @Test
    void aPartialLastLineIsReturnedOnlyOnceItsNewlineArrives() throws IOException {
        write(log, "");
        LogTailer t = tailer();
        append(log, "2251:M 06 Mar 15:29:47.093 # Connection with sl");
        assertEquals(List.of(), t.poll(100));
        assertEquals(List.of(), t.poll(100));

        append(log, "ave 192.168.10.82:6379 lost.\n");
        List<RawLine> lines = t.poll(100);

        assertEquals(List.of("2251:M 06 Mar 15:29:47.093 # Connection with slave 192.168.10.82:6379 lost."),
                texts(lines));
        assertEquals(0, lines.get(0).offset());
        assertEquals(Files.size(log), lines.get(0).endOffset());
        assertEquals(List.of(), t.poll(100));
    }

    @Test
    void aPartialLastLineStaysUnreturnedAcrossARestart() throws IOException {
        write(log, "one\ntwo\nthr");
        LogTailer t1 = tailer();
        List<RawLine> first = drain(t1);
        assertEquals(List.of("one", "two"), texts(first));
        t1.commit(first.get(1));
        t1.close();

        LogTailer t2 = tailer();
        assertEquals(List.of(), t2.poll(100));
        append(log, "ee\nfour\n");
        List<RawLine> lines = drain(t2);

        assertEquals(List.of("three", "four"), texts(lines));
        assertEquals(8, lines.get(0).offset());
    }

    @Test
    void pollReturnsAtMostMaxLinesAndContinuesWhereItStopped() throws IOException {
        List<String> seed = seedLines();
        write(log, String.join("\n", seed) + "\n");
        LogTailer t = tailer();

        List<RawLine> a = t.poll(7);
        List<RawLine> b = t.poll(7);

        assertEquals(seed.subList(0, 7), texts(a));
        assertEquals(seed.subList(7, 14), texts(b));
    }

    @Test
    void uncommittedLinesAreReadAgainAfterARestartWithTheSameDedupKeys() throws IOException {
        write(log, "a\nbb\nccc\n");
        LogTailer t1 = tailer();
        List<RawLine> first = drain(t1);
        t1.commit(first.get(0));
        append(log, "dddd\n");
        first.addAll(drain(t1)); // read, never acknowledged
        t1.close();

        List<RawLine> again = drain(tailer());

        assertEquals(first.subList(1, 4), again, "same identity, offsets and text as first read");
    }

    @Test
    void withoutACommitNothingIsSavedAndARestartReadsEverythingAgain() throws IOException {
        write(log, "a\nb\n");
        LogTailer t1 = tailer();
        List<RawLine> first = drain(t1);
        t1.close();

        assertEquals(first, drain(tailer()));
        assertFalse(Files.exists(store.positionFile(log)));
    }

    @Test
    void aTenMegabyteLineIsCutToMaxLineBytesWithBoundedMemory() throws IOException {
        write(log, "before\n");
        LogTailer t = tailer(64 * 1024, LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES);
        assertEquals(List.of("before"), texts(t.poll(10)));
        byte[] half = new byte[5 * 1024 * 1024];
        Arrays.fill(half, (byte) 'x');
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getThreadAllocatedBytes(Thread.currentThread().getId());

        append(log, half);
        assertEquals(List.of(), t.poll(10), "no newline yet");
        append(log, half);
        append(log, "\nafter\n");
        List<RawLine> lines = new ArrayList<>(t.poll(10));

        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - allocatedBefore;
        assertEquals(2, lines.size());
        RawLine big = lines.get(0);
        assertTrue(big.truncated());
        assertEquals("x".repeat(64 * 1024) + " …[cut: 10485760 bytes]", big.text());
        assertEquals(7, big.offset());
        assertEquals(7 + 10 * 1024 * 1024 + 1, big.endOffset());
        assertEquals("after", lines.get(1).text());
        assertFalse(lines.get(1).truncated());
        // Buffering the line would allocate >= 10 MiB; the cut line's text itself is ~128 KiB.
        assertTrue(allocated < 2 * 1024 * 1024, "allocated " + allocated + " bytes while reading a 10 MiB line");
    }

    @Test
    void aCutNeverSplitsAMultiByteCharacter() throws IOException {
        write(log, "日志日志日志\n");

        List<RawLine> lines = drain(tailer(10, LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES));

        assertEquals("日志日 …[cut: 18 bytes]", lines.get(0).text());
    }

    @Test
    void invalidUtf8AndBinaryGarbageAreReturnedWithReplacementCharacters() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("ok 日志\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b', '\n'});
        byte[] garbage = new byte[3000];
        new java.util.Random(42).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            if (garbage[i] == '\n') {
                garbage[i] = 'n';
            }
        }
        bytes.writeBytes(garbage);
        bytes.writeBytes("\nlast\n".getBytes(StandardCharsets.UTF_8));
        write(log, bytes.toByteArray());

        List<RawLine> lines = drain(tailer());

        assertEquals(4, lines.size());
        assertEquals("ok 日志", lines.get(0).text());
        assertEquals("a\uFFFD\uFFFDb", lines.get(1).text());
        assertTrue(lines.get(2).text().contains("\uFFFD"));
        assertFalse(lines.get(2).text().contains("\0"));
        assertEquals("last", lines.get(3).text());
        assertEquals(lines.get(2).offset() + garbage.length + 1, lines.get(2).endOffset());
    }

    // ---- rotation ------------------------------------------------------------------------------

    @Test
    void renameRotationFinishesTheOldFileThenReadsTheNewOneFromItsStart() throws IOException {
        write(log, "old-1\n");
        LogTailer t = tailer();
        assertEquals(List.of("old-1"), texts(drain(t)));
        FileIdentity oldId = identityOfFirstLine(log);

        Path rotated = dir.resolve("redis.log.1");
        Files.move(log, rotated);
        append(rotated, "old-2 written through the old descriptor\n");
        write(log, "new-1\n");
        List<RawLine> lines = drain(t);

        assertEquals(List.of("old-2 written through the old descriptor", "new-1"), texts(lines));
        assertEquals(oldId.getInode(), lines.get(0).fileId().getInode());
        assertEquals(6, lines.get(0).offset());
        assertEquals(inode(log), lines.get(1).fileId().getInode());
        assertEquals(0, lines.get(1).offset());
    }

    @Test
    void rotationWhileStoppedReadsTheRestOfTheRenamedFileFirst() throws IOException {
        write(log, "old-1\nold-2\n");
        LogTailer t1 = tailer();
        List<RawLine> first = drain(t1);
        t1.commit(first.get(0)); // old-2 was read but never acknowledged
        t1.close();
        append(log, "old-3\n");
        Path rotated = dir.resolve("redis.log.1");
        Files.move(log, rotated);
        write(log, "new-1\n");

        List<RawLine> lines = drain(tailer());

        assertEquals(List.of("old-2", "old-3", "new-1"), texts(lines));
        assertEquals(rotated.toString(), lines.get(0).file());
        RawLine reread = lines.get(0);
        assertEquals(List.of(first.get(1).fileId(), first.get(1).offset(), first.get(1).endOffset()),
                List.of(reread.fileId(), reread.offset(), reread.endOffset()), "same dedup key as the first read");
        assertEquals(log.toString(), lines.get(2).file());
        assertEquals(0, lines.get(2).offset());
    }

    @Test
    void rotationWhileStoppedBeforeTheNewFileExistsStillFinishesTheRenamedFile() throws IOException {
        write(log, "old-1\n");
        LogTailer t1 = tailer();
        t1.commit(drain(t1).get(0));
        t1.close();
        append(log, "old-2\n");
        Files.move(log, dir.resolve("redis.log.1"));

        LogTailer t2 = tailer();
        assertEquals(List.of("old-2"), texts(drain(t2)));
        write(log, "new-1\n");
        assertEquals(List.of("new-1"), texts(drain(t2)));
    }

    @Test
    void whenTheSavedFileIsGoneTheNewFileIsReadFromItsStart() throws IOException {
        write(log, "old-1\nold-2\n");
        LogTailer t1 = tailer();
        t1.commit(drain(t1).get(1));
        t1.close();
        Files.move(log, dir.resolve("redis.log.1"));
        write(log, "new-1\n");
        Files.delete(dir.resolve("redis.log.1"));

        assertEquals(List.of("new-1"), texts(drain(tailer())));
    }

    @Test
    void theUnterminatedLastLineOfARotatedFileIsReturnedAfterTheGracePeriodBeforeTheNewFile()
            throws IOException, InterruptedException {
        write(log, "old-1\nold-unterminated");
        LogTailer t = tailer();
        t.setRotatedTailGrace(Duration.ofMillis(300));
        assertEquals(List.of("old-1"), texts(drain(t)));
        Files.move(log, dir.resolve("redis.log.1"));
        write(log, "new-1\n");

        assertEquals(List.of(), t.poll(100), "the old file might still get its newline");
        Thread.sleep(400);
        List<RawLine> lines = drain(t);

        assertEquals(List.of("old-unterminated", "new-1"), texts(lines));
        assertEquals(Files.size(dir.resolve("redis.log.1")), lines.get(0).endOffset());
    }

    // ---- truncation ----------------------------------------------------------------------------

    @Test
    void copytruncateIsDetectedAndTheFileIsReadAgainFromItsStart() throws IOException {
        write(log, String.join("\n", seedLines()) + "\n");
        LogTailer t = tailer();
        drain(t);
        long inode = inode(log);

        Files.copy(log, dir.resolve("redis.log.1"));
        truncate(log, 0);
        append(log, "new-1\n");
        List<RawLine> lines = drain(t);

        assertEquals(List.of("new-1"), texts(lines));
        assertEquals(0, lines.get(0).offset());
        assertEquals(inode, lines.get(0).fileId().getInode());
    }

    @Test
    void copytruncateWhileTheWriterKeepsItsOffsetSkipsTheHoleOfNulBytes() throws IOException {
        write(log, String.join("\n", seedLines()) + "\n");
        LogTailer t = tailer();
        drain(t);
        long writerOffset = Files.size(log);

        truncate(log, 0);
        // A writer without O_APPEND goes on at its old offset and leaves a sparse hole of NULs behind.
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("new-1\nnew\0-2\n".getBytes(StandardCharsets.UTF_8)), writerOffset);
        }
        List<RawLine> lines = drain(t);

        assertEquals(List.of("new-1", "new-2"), texts(lines));
        assertEquals(writerOffset, lines.get(0).offset());
    }

    @Test
    void truncatedWhileStoppedAndRegrownPastTheSavedOffsetIsReadFromItsStart() throws IOException {
        write(log, "old-1\nold-2\n");
        LogTailer t1 = tailer();
        t1.commit(drain(t1).get(1));
        t1.close();
        long inode = inode(log);

        truncate(log, 0);
        append(log, "new-1 is longer than the old lines\nnew-2\n");
        assertEquals(inode, inode(log));

        assertEquals(List.of("new-1 is longer than the old lines", "new-2"), texts(drain(tailer())));
    }

    @Test
    void aNewFileReusingTheSavedInodeIsReadFromItsStart() throws IOException {
        write(log, "new-1 of a new file\nnew-2\n");
        // The saved position names this inode but another file's head: the inode was freed and reused.
        FileIdentity other = FileIdentity.newBuilder()
                .setDevice((Long) Files.getAttribute(log, "unix:dev"))
                .setInode(inode(log))
                .setHeadFingerprint(TailedFile.fingerprint("old-1\n".getBytes(StandardCharsets.UTF_8), 6))
                .setHeadLength(6)
                .build();
        store.save(log, other, 6);

        List<RawLine> lines = drain(tailer());

        assertEquals(List.of("new-1 of a new file", "new-2"), texts(lines));
        assertTrue(records.stream().anyMatch(r -> r.getMessage().contains("reusing the inode")));
    }

    @Test
    void aDeletedAndRecreatedFileIsReadFromItsStartWhetherOrNotItsInodeWasReused() throws IOException {
        write(log, "old-1 line\nold-2 line\n");
        LogTailer t1 = tailer();
        t1.commit(drain(t1).get(1));
        t1.close();
        Files.delete(log);
        write(log, "new-1 line\nnew-2 line\nnew-3\n");

        assertEquals(List.of("new-1 line", "new-2 line", "new-3"), texts(drain(tailer())));
    }

    // ---- missing file --------------------------------------------------------------------------

    @Test
    void aMissingFileIsLoggedOnceWhenGoneAndOnceWhenBack() throws IOException {
        LogTailer t = tailer();
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(), t.poll(10));
        }
        assertEquals(1, count("does not exist yet"));

        write(log, "first\n");
        assertEquals(List.of("first"), texts(drain(t)));
        assertEquals(1, count("exists again"));

        Files.delete(log);
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(), t.poll(10));
        }
        assertEquals(1, count("disappeared"));

        write(log, "second\n");
        assertEquals(List.of("second"), texts(drain(t)));
        assertEquals(2, count("exists again"));
        assertTrue(records.stream().noneMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()),
                "a missing file is not an error");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private LogTailer tailer() {
        return tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES);
    }

    private LogTailer tailer(int maxLineBytes, long backlog) {
        LogTailer t = new LogTailer(log, store, maxLineBytes, backlog);
        open.add(t);
        return t;
    }

    private static List<RawLine> drain(LogTailer t) {
        List<RawLine> all = new ArrayList<>();
        for (List<RawLine> batch = t.poll(1000); !batch.isEmpty(); batch = t.poll(1000)) {
            all.addAll(batch);
        }
        return all;
    }

    private static List<String> texts(List<RawLine> lines) {
        return lines.stream().map(RawLine::text).toList();
    }

    private long count(String fragment) {
        return records.stream().filter(r -> r.getMessage().contains(fragment)).count();
    }

    private FileIdentity identityOfFirstLine(Path p) throws IOException {
        try (LogTailer t = new LogTailer(p, new TailPositionStore(dir.resolve("other-state")))) {
            return t.poll(1).get(0).fileId();
        }
    }

    static List<String> seedLines() throws IOException {
        try (InputStream in = LogTailerTest.class.getResourceAsStream("/tailing/redis-seed.log")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static long inode(Path p) throws IOException {
        return (Long) Files.getAttribute(p, "unix:ino");
    }

    private static void write(Path p, String s) throws IOException {
        write(p, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path p, byte[] b) throws IOException {
        Files.write(p, b);
    }

    private static void append(Path p, String s) throws IOException {
        append(p, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void append(Path p, byte[] b) throws IOException {
        Files.write(p, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void truncate(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
