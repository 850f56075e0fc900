package io.redwatch.agent.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on real files, closed and opened again as an agent restart does. */
class SpoolTest {
    @TempDir
    Path dir;

    private Spool spool;

    @AfterEach
    void close() {
        if (spool != null) spool.close();
    }

    /** A batch of {@code n} PING records stamped {@code firstTs, firstTs+1, ...}, each about 120 bytes. */
    static Batch pings(long firstTs, int n) {
        Batch.Builder b = Batch.newBuilder().setCreatedMs(firstTs);
        for (int i = 0; i < n; i++) {
            b.addRecords(Record.newBuilder()
                    .setPing(PingResult.newBuilder()
                            .setTsMs(firstTs + i)
                            .setOutcome(PingResult.Outcome.PONG)
                            .setReply("PONG " + "x".repeat(100))));
        }
        return b.build();
    }

    private Spool open(long maxBytes, long segmentBytes) throws IOException {
        if (spool != null) spool.close();
        spool = Spool.open(dir, maxBytes, segmentBytes);
        return spool;
    }

    private List<Batch> acknowledge(long seq) {
        List<Batch> done = new ArrayList<>();
        spool.acknowledge(seq, done::add);
        return done;
    }

    private static List<Long> seqs(List<Batch> batches) {
        return batches.stream().map(Batch::getSeq).toList();
    }

    private static List<Long> pingTimes(List<Batch> batches) {
        List<Long> ts = new ArrayList<>();
        for (Batch b : batches)
            for (Record r : b.getRecordsList())
                if (r.hasPing()) ts.add(r.getPing().getTsMs());
        return ts;
    }

    private static List<Gap> gaps(List<Batch> batches) {
        return batches.stream()
                .flatMap(b -> b.getRecordsList().stream())
                .filter(Record::hasGap)
                .map(Record::getGap)
                .toList();
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void unacknowledgedBatchesSurviveARestartInOrderWithTheirNumbers() throws IOException {
        open(1 << 20, 64 << 10);
        for (int i = 0; i < 5; i++) spool.add(pings(100L * (i + 1), 3));

        assertEquals(List.of(1L, 2L, 3L), seqs(spool.toSend(0, 3)), "numbered when first handed out");
        assertEquals(
                List.of(100L), acknowledge(1).stream().map(Batch::getCreatedMs).toList());
        assertEquals(4, spool.size());

        open(1 << 20, 64 << 10); // restart
        assertEquals(4, spool.size());
        List<Batch> again = spool.toSend(0, 10);
        assertEquals(List.of(2L, 3L, 4L, 5L), seqs(again), "2 and 3 keep their numbers, then numbering goes on");
        assertEquals(
                List.of(200L, 300L, 400L, 500L),
                again.stream().map(Batch::getCreatedMs).toList());
        assertEquals(
                pings(200, 3).toBuilder().setSeq(2).build(), again.get(0), "byte for byte the batch that was added");
        assertEquals(List.of(), spool.toSend(5, 10), "nothing after 5");

        assertEquals(4, acknowledge(5).size());
        assertEquals(List.of(), acknowledge(5), "an ack seen twice hands nothing out twice");
        assertEquals(0, spool.size());
    }

    @Test
    void aNumberIsNeverGivenTwiceAcrossRestarts() throws IOException {
        open(1 << 20, 64 << 10);
        spool.add(pings(1, 1));
        spool.toSend(0, 1);
        acknowledge(1);
        spool.numberAbove(40); // the collector said it stored up to 40

        open(1 << 20, 64 << 10);
        spool.add(pings(2, 1));
        assertEquals(List.of(41L), seqs(spool.toSend(0, 5)));
        spool.numberAbove(3); // an older Welcome moves nothing back
        spool.add(pings(3, 1));
        assertEquals(List.of(42L), seqs(spool.toSend(41, 5)));
    }

    @Test
    void acknowledgedSegmentsAreDeleted() throws IOException {
        open(1 << 20, 4 << 10);
        for (int i = 0; i < 20; i++) spool.add(pings(i * 10L, 5)); // ~650 bytes each: several segments
        assertTrue(segments().size() >= 3, segments().toString());
        long last = 0;
        for (List<Batch> w; !(w = spool.toSend(last, 8)).isEmpty(); ) {
            last = w.get(w.size() - 1).getSeq();
            acknowledge(last);
        }
        assertEquals(20, last);
        assertEquals(1, segments().size(), "only the segment being written is left: " + segments());
        assertEquals(0, spool.size());
    }

    @Test
    void aRecordTornByACrashIsCutOffAndReportedAsOneGap() throws IOException {
        open(1 << 20, 64 << 10);
        for (int i = 1; i <= 4; i++) spool.add(pings(1000L * i, 5));
        spool.close();
        spool = null;
        Path seg = segments().get(segments().size() - 1);
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 200); // the last write was cut short
        }

        open(1 << 20, 64 << 10);
        spool.add(pings(5000, 5)); // appends go on after the last good record
        List<Batch> out = spool.toSend(0, 10);

        List<Gap> gaps = gaps(out);
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(5, gaps.get(0).getRecordsLost(), "the torn record's header says what it held");
        assertEquals(4000, gaps.get(0).getFromMs());
        assertEquals(4004, gaps.get(0).getToMs());
        assertEquals(Spool.DAMAGED, gaps.get(0).getReason());
        assertEquals(
                List.of(
                        1000L, 1001L, 1002L, 1003L, 1004L, 2000L, 2001L, 2002L, 2003L, 2004L, 3000L, 3001L, 3002L,
                        3003L, 3004L, 5000L, 5001L, 5002L, 5003L, 5004L),
                pingTimes(out));

        open(1 << 20, 64 << 10); // reported once: not again after another restart
        assertEquals(1, gaps(spool.toSend(0, 10)).size(), "the same gap under its number, not a second one");
    }

    @Test
    void aDamagedByteInTheMiddleCostsThatRecordOnly() throws IOException {
        open(1 << 20, 64 << 10);
        long[] offsets = new long[5];
        for (int i = 0; i < 5; i++) {
            offsets[i] = spool.diskBytes();
            spool.add(pings(1000L * (i + 1), 5));
        }
        spool.close();
        spool = null;
        Path seg = segments().get(0);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long at = offsets[2] + 300; // inside the third record's payload
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }

        open(1 << 20, 64 << 10);
        List<Batch> out = spool.toSend(0, 10);
        List<Gap> gaps = gaps(out);
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(5, gaps.get(0).getRecordsLost());
        assertEquals(1, gaps.get(0).getBatchesLost());
        assertEquals(3000, gaps.get(0).getFromMs());
        assertEquals(
                List.of(
                        1000L, 1001L, 1002L, 1003L, 1004L, 2000L, 2001L, 2002L, 2003L, 2004L, 4000L, 4001L, 4002L,
                        4003L, 4004L, 5000L, 5001L, 5002L, 5003L, 5004L),
                pingTimes(out));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(out), "the gap goes out in the damaged record's place in line");
    }

    @Test
    void aDamagedHeaderIsSkippedToTheNextGoodRecord() throws IOException {
        open(1 << 20, 64 << 10);
        long[] offsets = new long[4];
        for (int i = 0; i < 4; i++) {
            offsets[i] = spool.diskBytes();
            spool.add(pings(1000L * (i + 1), 5));
        }
        spool.close();
        spool = null;
        try (RandomAccessFile f = new RandomAccessFile(segments().get(0).toFile(), "rw")) {
            f.seek(offsets[1] + 9); // the length field
            f.write(0x7F);
        }

        open(1 << 20, 64 << 10);
        List<Batch> out = spool.toSend(0, 10);
        Gap gap = gaps(out).get(0);
        assertEquals(1, gaps(out).size());
        assertEquals(1, gap.getBatchesLost());
        assertEquals(1004, gap.getFromMs(), "after the last good record");
        assertEquals(3000, gap.getToMs(), "before the next good one");
        assertEquals(
                List.of(
                        1000L, 1001L, 1002L, 1003L, 1004L, 3000L, 3001L, 3002L, 3003L, 3004L, 4000L, 4001L, 4002L,
                        4003L, 4004L),
                pingTimes(out));
    }

    @Test
    void whenFullTheOldestUnsentSamplesGiveWayAndOneGapSaysWhat() throws IOException {
        long budget = 32 << 10;
        long segment = 8 << 10;
        open(budget, segment);
        Batch probe = pings(0, 5);
        int added = 0;
        for (int i = 0; i < 3; i++) spool.add(pings(10L * i, 5));
        List<Batch> inFlight = spool.toSend(0, 3); // sent, not acknowledged: never dropped
        for (int i = 3; i < 200; i++) {
            spool.add(pings(10L * i, 5));
            assertTrue(spool.diskBytes() <= budget + segment, "within budget plus one segment: " + spool.diskBytes());
        }
        added = 200 * 5;
        assertTrue(probe.getSerializedSize() * 200 > 3 * budget, "the test overflows the spool several times");

        open(budget, segment); // the gap survives a restart
        List<Batch> all = new ArrayList<>();
        long last = 0;
        for (List<Batch> w; !(w = spool.toSend(last, 8)).isEmpty(); ) {
            all.addAll(w);
            last = w.get(w.size() - 1).getSeq();
            acknowledge(last);
        }
        assertEquals(seqs(inFlight), seqs(all.subList(0, 3)));
        assertEquals(inFlight, all.subList(0, 3), "batches in flight are resent intact");
        List<Gap> gaps = gaps(all);
        assertEquals(1, gaps.size(), gaps.toString());
        Gap g = gaps.get(0);
        assertEquals(Spool.FULL, g.getReason());
        assertTrue(all.get(3).getRecords(0).hasGap(), "the gap comes before the batches kept");
        List<Long> kept = pingTimes(all.subList(4, all.size()));
        long firstKept = kept.get(0);
        assertEquals(30, g.getFromMs(), "from the first unsent sample");
        assertEquals(firstKept - 6, g.getToMs(), "to the last sample before the ones kept");
        assertEquals((firstKept - 30) / 10 * 5, g.getRecordsLost());
        assertEquals((firstKept - 30) / 10, g.getBatchesLost());
        assertEquals(added, pingTimes(all).size() + g.getRecordsLost(), "every record delivered or counted lost");
        assertEquals(10L * 199 + 4, kept.get(kept.size() - 1), "the newest samples are kept");
    }

    @Test
    void whenFullSegmentsWithLogLinesAreKeptWhileSamplesCanGiveWay() throws IOException {
        long budget = 32 << 10;
        long segment = 8 << 10;
        open(budget, segment);
        for (int i = 0; i < 10; i++) {
            spool.add(pings(10L * i, 5).toBuilder()
                    .addRecords(Record.newBuilder()
                            .setLog(LogEvent.newBuilder()
                                    .setTsMs(10L * i)
                                    .setRaw("1:M 01 Jan 2024 00:00:00.000 # line " + i)))
                    .build());
        }
        assertTrue(!spool.backlogged(), "below half the budget");
        for (int i = 10; i < 200; i++) spool.add(pings(10L * i, 5));
        assertTrue(spool.backlogged());

        List<Batch> all = spool.toSend(0, 1000);
        long logs = all.stream()
                .flatMap(b -> b.getRecordsList().stream())
                .filter(Record::hasLog)
                .count();
        assertEquals(10, logs, "no log line dropped");
        assertEquals(Spool.FULL, gaps(all).get(0).getReason());
    }

    @Test
    void aSecondAgentOnTheSameDirectoryIsRefused() throws IOException {
        open(1 << 20, 64 << 10);
        IOException e = assertThrows(IOException.class, () -> Spool.open(dir, 1 << 20, 64 << 10));
        assertTrue(e.getMessage().contains("in use by another agent"), e.getMessage());
    }
}
