package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.FileIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rotation by rename and by copytruncate, while the agent runs and while it is stopped. */
class LogTailerRotationTest extends TailerTestBase {

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
        assertEquals(
                List.of(
                        first.get(1).fileId(),
                        first.get(1).offset(),
                        first.get(1).endOffset()),
                List.of(reread.fileId(), reread.offset(), reread.endOffset()),
                "same dedup key as the first read");
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
    void theUnterminatedLastLineOfARotatedFileIsReturnedAfterTheGracePeriodBeforeTheNewFile() throws IOException {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        LogTailer t = rotatedAwayWithUnterminatedLine("old-unterminated", nanos);

        assertEquals(List.of(), t.poll(100), "the old file might still get its newline");
        nanos.addAndGet(Duration.ofMillis(299).toNanos());
        assertEquals(List.of(), t.poll(100), "1 ms before the grace period ends");
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        List<RawLine> lines = drain(t);

        assertEquals(List.of("old-unterminated", "new-1"), texts(lines));
        assertEquals(Files.size(dir.resolve("redis.log.1")), lines.get(0).endOffset());
    }

    @Test
    void growthOfTheRotatedFileStartsTheGracePeriodAgain() throws IOException {
        AtomicLong nanos = new AtomicLong();
        LogTailer t = rotatedAwayWithUnterminatedLine("old-", nanos);
        assertEquals(List.of(), t.poll(100));

        nanos.addAndGet(Duration.ofMillis(200).toNanos());
        append(dir.resolve("redis.log.1"), "late"); // the writer had the old file open a little longer
        assertEquals(List.of(), t.poll(100));
        nanos.addAndGet(Duration.ofMillis(200).toNanos());
        assertEquals(List.of(), t.poll(100), "300 ms have not passed since the file last grew");
        nanos.addAndGet(Duration.ofMillis(100).toNanos());

        assertEquals(List.of("old-late", "new-1"), texts(drain(t)));
    }

    /**
     * A tailer with a 300 ms grace period on {@code nanos} that has read "old-1" of a file then
     * rotated to redis.log.1 ending in the unterminated {@code tail}; the new redis.log holds "new-1".
     */
    private LogTailer rotatedAwayWithUnterminatedLine(String tail, AtomicLong nanos) throws IOException {
        write(log, "old-1\n" + tail);
        LogTailer t = tailer(nanos::get);
        t.setRotatedTailGrace(Duration.ofMillis(300));
        assertEquals(List.of("old-1"), texts(drain(t)));
        Files.move(log, dir.resolve("redis.log.1"));
        write(log, "new-1\n");
        return t;
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
}
