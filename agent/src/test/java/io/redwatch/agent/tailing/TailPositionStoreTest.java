package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.tailing.TailPositionStore.Position;
import io.redwatch.proto.v1.FileIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailPositionStoreTest {
    @TempDir
    Path dir;

    TailPositionStore store;
    final Path log = Path.of("/var/log/redis/redis-6379.log");
    final FileIdentity id = FileIdentity.newBuilder()
            .setDevice(65024)
            .setInode(1835015)
            .setHeadFingerprint("5c1fd0a1b2c3d4e5f60718293a4b5c6d")
            .setHeadLength(1024)
            .build();
    CapturedLog messages;

    @BeforeEach
    void setUp() {
        store = new TailPositionStore(dir.resolve("state"));
        messages = CapturedLog.of(TailPositionStore.class);
    }

    @AfterEach
    void tearDown() {
        messages.close();
    }

    @Test
    void nothingSavedMeansNoPosition() {
        assertEquals(Optional.empty(), store.load(log));
        assertTrue(messages.warnings().isEmpty());
    }

    @Test
    void aSavedPositionIsLoadedBackByANewStoreAndTheStateDirectoryIsCreated() throws IOException {
        store.save(log, id, 73421);

        Optional<Position> loaded = new TailPositionStore(dir.resolve("state")).load(log);

        assertEquals(Optional.of(new Position(id, 73421)), loaded);
        assertTrue(loaded.get().namesFile());
    }

    @Test
    void inodesAndDevicesAboveLongMaxValueSurvive() throws IOException {
        FileIdentity big =
                id.toBuilder().setInode(-2L).setDevice(Long.MIN_VALUE).build(); // uint64 in proto
        store.save(log, big, 1);

        assertEquals(Optional.of(new Position(big, 1)), store.load(log));
    }

    @Test
    void theLatestSaveWinsAndNoTemporaryFileIsLeftBehind() throws IOException {
        store.save(log, id, 10);
        store.save(log, id, 20);

        assertEquals(20, store.load(log).orElseThrow().offset());
        try (Stream<Path> files = Files.list(store.stateDir())) {
            assertEquals(List.of(store.positionFile(log)), files.toList());
        }
    }

    @Test
    void eachPathHasItsOwnPosition() throws IOException {
        Path other = Path.of("/var/log/redis/redis-6380.log");
        store.save(log, id, 10);
        store.save(other, id, 99);

        assertEquals(10, store.load(log).orElseThrow().offset());
        assertEquals(99, store.load(other).orElseThrow().offset());
    }

    @Test
    void thePositionFileIsReadableByAnOperator() throws IOException {
        store.save(log, id, 73421);

        String text = Files.readString(store.positionFile(log));

        assertTrue(text.contains("path=/var/log/redis/redis-6379.log\n"), text);
        assertTrue(text.contains("inode=1835015\n"), text);
        assertTrue(text.contains("offset=73421\n"), text);
    }

    @Test
    void anEditedOffsetFailsTheChecksumAndMeansStartOfTheCurrentFile() throws IOException {
        store.save(log, id, 73421);
        Path file = store.positionFile(log);
        Files.writeString(file, Files.readString(file).replace("offset=73421", "offset=99999"));

        assertCorruptWithWarning("checksum");
    }

    @Test
    void aTornFileMeansStartOfTheCurrentFile() throws IOException {
        store.save(log, id, 73421);
        Path file = store.positionFile(log);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertCorruptWithWarning("checksum missing");
    }

    @Test
    void binaryGarbageMeansStartOfTheCurrentFile() throws IOException {
        Files.createDirectories(store.stateDir());
        Files.write(store.positionFile(log), new byte[] {(byte) 0xff, 0, 1, 2, (byte) 0xc3});

        assertCorruptWithWarning("cannot be read");
    }

    @Test
    void anUnreadablePositionFileMeansStartOfTheCurrentFile() throws IOException {
        Files.createDirectories(store.positionFile(log)); // a directory where the file should be

        assertCorruptWithWarning("cannot be read");
    }

    @Test
    void aPositionFileOfAnotherPathIsNotUsed() throws IOException {
        store.save(log, id, 5);
        Path other = Path.of("/var/log/redis/other.log");
        Files.copy(store.positionFile(log), store.positionFile(other));

        assertEquals(Optional.of(Position.startOfCurrentFile()), store.load(other));
        assertTrue(messages.warnings().get(0).getMessage().contains("belongs to /var/log/redis/redis-6379.log"));
    }

    @Test
    void aNegativeOffsetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> store.save(log, id, -1));
    }

    @Test
    void aSaveIntoAnUnwritableLocationFailsWithAnIOException() throws IOException {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x", StandardCharsets.UTF_8);
        TailPositionStore broken = new TailPositionStore(notADir.resolve("state"));

        assertThrows(IOException.class, () -> broken.save(log, id, 1));
    }

    private void assertCorruptWithWarning(String why) {
        Optional<Position> loaded = store.load(log);

        assertEquals(Optional.of(Position.startOfCurrentFile()), loaded);
        assertFalse(loaded.get().namesFile());
        assertEquals(1, messages.warnings().size());
        String message = messages.warnings().get(0).getMessage();
        assertTrue(message.contains(why), message);
        assertTrue(message.contains(store.positionFile(log).toString()), message);
    }
}
