package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the bytes of a followed file become lines: partial, long, CRLF and invalid UTF-8 lines. */
class LogTailerLinesTest extends TailerTestBase {

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

        assertEquals(
                List.of("2251:M 06 Mar 15:29:47.093 # Connection with slave 192.168.10.82:6379 lost."), texts(lines));
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
        long allocatedBefore =
                threads.getThreadAllocatedBytes(Thread.currentThread().getId());

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
}
