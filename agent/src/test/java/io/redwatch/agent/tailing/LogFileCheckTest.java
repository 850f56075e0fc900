package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack 7 of issue 9: the redis user replaces redis.log by a link to a file it cannot read itself,
 * hoping the agent (which may read any file) ships it. Real files, real links, real owners.
 */
class LogFileCheckTest {
    @TempDir
    Path logDir;

    @TempDir
    Path elsewhere;

    Path log;
    Path secret;
    int myUid;
    final List<LogTailer> open = new ArrayList<>();
    CapturedLog messages;

    @BeforeEach
    void setUp() throws IOException {
        log = logDir.resolve("redis.log");
        secret = elsewhere.resolve("shadow");
        Files.writeString(secret, "root:SECRET$6$hash:19000:0:99999:7:::\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        myUid = ((Number) Files.getAttribute(logDir, "unix:uid")).intValue();
        messages = CapturedLog.of(LogTailer.class);
    }

    @AfterEach
    void tearDown() throws IOException {
        messages.close();
        for (LogTailer t : open) t.close();
    }

    @Test
    void redisLogReplacedByALinkToASecretFileIsNotReadAndTheRefusalIsLoggedOnce() throws IOException {
        Files.writeString(log, "1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections\n");
        LogTailer t = tailer(LogFileCheck.ownedBy(() -> OptionalInt.of(myUid), ""));
        assertEquals(List.of("1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections"), texts(drain(t)));

        Files.delete(log);
        Files.createSymbolicLink(log, secret);
        List<String> read = new ArrayList<>(pollUntilRefused(t));
        for (int i = 0; i < 20; i++) read.addAll(texts(t.poll(100)));

        assertTrue(read.stream().noneMatch(l -> l.contains("SECRET")), "the secret was read: " + read);
        assertEquals(List.of(), read);
        assertEquals(1, refusals(), "refused once, not at every poll: " + messages());
        String msg = messages.warnings().get(0).getMessage();
        assertTrue(msg.contains(log + ": it is a symbolic link (to " + secret + ")"), msg);
        assertTrue(msg.contains("Set log_file to the real file"), "says what to do: " + msg);
    }

    @Test
    void aLinkThatIsThereAtFirstSightIsNotFollowedEvenWithinTheLogDirectory() throws IOException {
        Path real = logDir.resolve("redis-6379.log");
        Files.writeString(real, "a line\n");
        Files.createSymbolicLink(log, real);
        LogTailer t = tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, LogFileCheck.regularFilesOnly());

        assertEquals(List.of(), pollUntilRefused(t));
        assertEquals(1, refusals());

        Files.delete(log); // the operator makes it a regular file: now it is read
        Files.writeString(log, "a real line\n");
        assertEquals(List.of("a real line"), texts(drain(t)));
    }

    @Test
    void aFileOwnedBySomeoneElseThanTheRedisUserIsRefusedUntilLogOwnerNamesThatUser() throws IOException {
        assumeTrue(myUid == 0, "giving a file away (chown) needs root");
        Files.writeString(log, "root:SECRET hard-linked or copied here by another user\n");
        Files.setAttribute(log, "unix:uid", 65534);
        LogTailer t = tailer(LogFileCheck.ownedBy(() -> OptionalInt.of(0), ""));

        assertEquals(List.of(), pollUntilRefused(t));
        String msg = messages.warnings().get(0).getMessage();
        assertTrue(
                msg.contains("owned by uid 65534")
                        && msg.contains("not by the Redis process's user (uid 0)")
                        && msg.contains("redis[].log_owner"),
                msg);

        LogTailer allowed = tailer(LogFileCheck.ownedBy(() -> OptionalInt.of(0), "65534"));
        assertEquals(List.of("root:SECRET hard-linked or copied here by another user"), texts(drain(allowed)));
    }

    @Test
    void whileTheRedisUserIsUnknownTheLogWaitsAndSaysHowToReadItNow() throws IOException {
        Files.writeString(log, "a line\n");
        OptionalInt[] redisUid = {OptionalInt.empty()};
        LogTailer t = tailer(LogFileCheck.ownedBy(() -> redisUid[0], ""));

        assertEquals(List.of(), pollUntilRefused(t));
        assertTrue(
                messages.warnings().get(0).getMessage().contains("set redis[].log_owner"),
                messages().toString());

        redisUid[0] = OptionalInt.of(myUid); // the sampler found the Redis process
        assertEquals(List.of("a line"), texts(drain(t)));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private LogTailer tailer(LogFileCheck check) {
        return tailer(LogTailer.DEFAULT_MAX_LINE_BYTES, check);
    }

    private LogTailer tailer(int maxLineBytes, LogFileCheck check) {
        LogTailer t = new LogTailer(
                log,
                new TailPositionStore(logDir.resolve("state-" + open.size())),
                maxLineBytes,
                LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES,
                check);
        open.add(t);
        return t;
    }

    /** Polls until the refusal is logged (the proof that the file was looked at); returns what was read. */
    private List<String> pollUntilRefused(LogTailer t) {
        List<String> read = new ArrayList<>();
        for (int i = 0; i < 100 && refusals() == 0; i++) read.addAll(texts(t.poll(100)));
        assertEquals(1, refusals(), "the refusal is logged: " + messages());
        return read;
    }

    private long refusals() {
        return messages.warnings().stream()
                .filter(r -> r.getMessage().startsWith("Not reading"))
                .count();
    }

    private List<String> messages() {
        return messages.warnings().stream().map(LogRecord::getMessage).toList();
    }

    private static List<RawLine> drain(LogTailer t) {
        List<RawLine> all = new ArrayList<>();
        for (List<RawLine> batch = t.poll(1000); !batch.isEmpty(); batch = t.poll(1000)) all.addAll(batch);
        return all;
    }

    private static List<String> texts(List<RawLine> lines) {
        return lines.stream().map(RawLine::text).toList();
    }
}
