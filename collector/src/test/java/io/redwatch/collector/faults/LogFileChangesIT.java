package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What happens to redis.log under the agent's feet: rotation by rename while it is stopped,
 * copytruncate while it runs, truncation while it is stopped, and lines no parser expects. The
 * agent and collector are real processes; every line is checked in {@code redwatch_log_events}.
 */
class LogFileChangesIT extends FaultTest {
    private CollectorProcess collector;
    private RedisServerProcess redis;
    private StoredLog stored;

    @BeforeEach
    void setUp() {
        redis = rig.redis();
        collector = rig.collector("collector", db.url(), null).start();
        stored = new StoredLog(db, Rig.instanceOf(redis));
    }

    /**
     * Issue case 6: the agent is stopped with lines it has not read; logrotate renames redis.log to
     * redis.log.1 and Redis starts a new redis.log. The restarted agent finds the old file by its
     * inode and head, reads its rest, then the new file: all lines arrive, once, in order.
     */
    @Test
    void rotatedByRenameWhileTheAgentIsStopped() throws Exception {
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(100);
        AgentProcess agent =
                rig.agent("agent-rename", collector, redis, log.path()).start();
        awaitStored(log, 100);
        agent.stop(); // SIGTERM; fails if it has not exited within 20 s

        log.append(100); // unread, in the file about to be renamed
        log.renameTo(rig.dir().resolve("redis.log.1"));
        log.append(100); // the new redis.log
        assertFalse(log.span(150).inode() == log.span(250).inode(), "two files");
        agent.restart();
        awaitStored(log, 300);
        stored.assertEachLineOnceInOrder(log);
    }

    /**
     * Issue case 7: copytruncate while the agent runs, with a writer that keeps its own file
     * position (no O_APPEND), so its next line lands past a hole of NUL bytes. No NUL byte and no
     * NUL-only fragment is stored, and no line is sent twice. The writer pauses around logrotate's
     * copy and truncate until the agent has read what was written: lines written after the
     * reader's last poll live only in the copy (redis.log.1), which a reader following redis.log
     * by path never sees; that loss belongs to copytruncate itself, whatever the reader does
     * (measured: without the pause the last ~second of lines before the truncate is missing).
     */
    @Test
    void copytruncateWhileTheAgentRuns() throws Exception {
        RedisLog log = RedisLog.positional(rig.dir().resolve("redis.log"));
        try {
            log.append(200);
            rig.agent("agent-copytruncate", collector, redis, log.path()).start();
            awaitStored(log, 200);
            try (LineFeeder feeder = new LineFeeder(log, 1_000, 20, 100)) {
                Await.until("400 lines written", Duration.ofSeconds(30), () -> log.written() >= 400);
                feeder.pause(log);
                int before = log.written();
                awaitStored(log, before);
                log.copyTruncate(rig.dir().resolve("redis.log.1"));
                feeder.resume();
                feeder.awaitDone(Duration.ofSeconds(60));
            }
            awaitStored(log, 1_000);
            byte[] head = Arrays.copyOf(Files.readAllBytes(log.path()), 16);
            assertEquals(0, head[0], "the file starts with the writer's hole of NUL bytes: " + Arrays.toString(head));
            // Two more batches stored after the last line: a late duplicate would be stored by now.
            long seq = lastStoredSeq("agent-copytruncate");
            Await.until(
                    "two more batches stored",
                    Duration.ofSeconds(30),
                    () -> lastStoredSeq("agent-copytruncate") >= seq + 2);
            stored.assertEachLineOnceInOrder(log);
            for (StoredLog.Row r : stored.rows()) assertFalse(r.raw().indexOf('\0') >= 0, "a NUL byte stored: " + r);
        } finally {
            log.close();
        }
    }

    /**
     * Issue case 8: redis.log is truncated while the agent is stopped and grows past the saved
     * offset before it starts again. Same inode, larger than the saved offset, but other first
     * bytes: the agent notices and reads the new content from the start instead of resuming in the
     * middle of some line.
     */
    @Test
    void truncatedWhileStoppedAndGrownPastTheOldOffset() throws Exception {
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(50);
        AgentProcess agent =
                rig.agent("agent-truncate", collector, redis, log.path()).start();
        awaitStored(log, 50);
        agent.stop();
        long savedOffset = agent.savedPosition().orElseThrow().offset();
        assertEquals(log.span(50).end(), savedOffset, "everything acknowledged before the stop");

        log.truncate();
        log.append(150);
        assertTrue(Files.size(log.path()) > savedOffset, "grown past the old offset");
        assertEquals(log.span(1).inode(), log.span(51).inode(), "the same file");
        agent.restart();
        awaitStored(log, 200);
        stored.assertEachLineOnceInOrder(log);
    }

    /**
     * Issue case 10: a 10 MB line, a line of invalid UTF-8 and a line with NUL bytes. Each is
     * stored: the long one cut at the agent's 64 KiB limit and flagged truncated with its real
     * length, invalid bytes as U+FFFD, NUL bytes dropped; and the lines after them still arrive.
     */
    @Test
    void aHugeLineInvalidUtf8AndNulBytesAreStoredAndTheTailerGoesOn() throws Exception {
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        log.append(1);
        rig.agent("agent-odd-lines", collector, redis, log.path()).start();
        awaitStored(log, 1);

        String hugeStart = RedisLog.prefix(2) + " ";
        byte[] huge = new byte[10 << 20];
        byte[] startBytes = hugeStart.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(startBytes, 0, huge, 0, startBytes.length);
        byte[] pattern = "0123456789 abcdef éèê ".getBytes(StandardCharsets.UTF_8);
        for (int i = startBytes.length; i < huge.length; i++)
            huge[i] = pattern[(i - startBytes.length) % pattern.length];
        if ((huge[huge.length - 1] & 0xC0) == 0x80 || (huge[huge.length - 1] & 0xE0) == 0xC0)
            huge[huge.length - 1] = 'x';
        log.appendBytes(huge, hugeStart);

        byte[] invalid = concat(
                RedisLog.prefix(3) + " invalid bytes:",
                new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE},
                " end");
        log.appendBytes(invalid, new String(invalid, StandardCharsets.UTF_8));
        String nulStart = RedisLog.prefix(4) + " NUL bytes:";
        log.appendBytes(concat(nulStart, new byte[] {0, 0, 0}, "gone"), nulStart + "gone");
        log.append(2);
        awaitStored(log, 6);

        StoredLog.Row cut = stored.bySeq().get(2).get(0);
        assertTrue(cut.truncated(), "the 10 MB line is flagged truncated");
        assertTrue(cut.raw().startsWith(hugeStart), cut.raw().substring(0, 100));
        assertTrue(
                cut.raw().length() < 70_000, "cut near 64 KiB, was " + cut.raw().length() + " chars");
        assertTrue(
                cut.raw().endsWith("…[cut: " + huge.length + " bytes]"),
                cut.raw().substring(cut.raw().length() - 60));
        assertFalse(cut.raw().contains("\uFFFD"), "not cut in the middle of a character");
        assertTrue(
                stored.bySeq().get(3).get(0).raw().contains("invalid bytes:\uFFFD(\uFFFD\uFFFD end"),
                stored.bySeq().get(3).get(0).raw());
        stored.assertEachLineOnceInOrder(log);
        assertEquals(
                List.of(5, 6),
                stored.bySeq().keySet().stream().filter(s -> s > 4).toList(),
                "the tailer went on");
    }

    private void awaitStored(RedisLog log, int n) {
        Await.until(n + " lines stored", Duration.ofSeconds(60), () -> stored.count() >= n, () -> stored.describe(log));
    }

    private static byte[] concat(String a, byte[] b, String c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(b);
        out.writeBytes(c.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
