package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a tailer starts, what a restart reads again, and a file that comes and goes. */
class LogTailerTest extends TailerTestBase {

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
        assertTrue(
                records.stream().noneMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()),
                "a missing file is not an error");
    }
}
