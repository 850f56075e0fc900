package io.redwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The pure rules at the ingest edge: names, clocks, one stream per agent id, refusal logging. */
class EdgeRulesTest {
    @Test
    void namesArePrintableSingleLineAndBounded() {
        assertNull(WireNames.problem("instance name", "db1.example.org:6379"));
        assertNull(WireNames.problem("instance name", "缓存-1:6379"));
        assertTrue(WireNames.problem("instance name", "evil:1\nX-Injected: yes").contains("U+000A at position 6"));
        assertTrue(WireNames.problem("host name", "cr\r").contains("U+000D"));
        assertTrue(WireNames.problem("host name", "a\u2028b").contains("U+2028"));
        assertTrue(WireNames.problem("host name", "x".repeat(256)).contains("at most 255"));
        assertNull(WireNames.problem("host name", "x".repeat(255)));
        assertFalse(
                WireNames.problem("instance name", "evil:1\nX-Injected: yes").contains("Injected"),
                "never echoes the name");
    }

    @Test
    void clocksBeyondTheBoundsAreNotBelieved() {
        ClockBound clock = new ClockBound(30);
        long now = 1_800_000_000_000L;
        assertEquals(ClockBound.Verdict.KEEP, clock.judge(ping(now + ClockBound.MAX_AHEAD_MS), now));
        assertEquals(ClockBound.Verdict.RESTAMP, clock.judge(ping(now + ClockBound.MAX_AHEAD_MS + 1), now));
        assertEquals(ClockBound.Verdict.RESTAMP, clock.judge(ping(253_402_300_799_000L), now));
        assertEquals(ClockBound.Verdict.RESTAMP, clock.judge(ping(1000), now));
        assertEquals(
                ClockBound.Verdict.KEEP,
                clock.judge(ping(now - 29L * 86_400_000), now),
                "a replayed spool is not restamped");
        Record oldLine = Record.newBuilder()
                .setLog(LogEvent.newBuilder().setTsMs(1000).setTsFromLog(true))
                .build();
        assertEquals(ClockBound.Verdict.DROP, clock.judge(oldLine, now), "a real old log line is not made current");
        Record restamped = ClockBound.restamp(
                Record.newBuilder()
                        .setLog(LogEvent.newBuilder().setTsMs(Long.MAX_VALUE).setTsFromLog(true))
                        .build(),
                now);
        assertEquals(now, restamped.getLog().getTsMs());
        assertFalse(restamped.getLog().getTsFromLog());
        assertEquals(
                ClockBound.Verdict.KEEP,
                clock.judge(
                        Record.newBuilder()
                                .setGap(Gap.newBuilder().setFromMs(1))
                                .build(),
                        now));
    }

    @Test
    void oneLiveStreamPerAgentIdAndASilentOneIsTakenOver() {
        StreamGuard guard = new StreamGuard();
        long now = 1_000_000;
        FakeStream first = new FakeStream(now, 1000);
        assertNull(guard.admit("a", first, now));
        FakeStream second = new FakeStream(now, 1000);
        String refusal = guard.admit("a", second, now + 5_000);
        assertTrue(refusal.contains("give each agent its own agent_id"), refusal);
        assertTrue(refusal.contains("silent 12 s"), refusal);
        assertNull(guard.admit("b", second, now), "another id is another agent");
        FakeStream third = new FakeStream(now + 13_000, 1000);
        assertNull(guard.admit("a", third, now + 13_000), "2 intervals + 10 s of silence: taken over");
        assertEquals(Status.Code.UNAVAILABLE, first.ended);
        guard.leave("a", first); // the old stream's own close must not remove the new one
        assertTrue(guard.admit("a", new FakeStream(now + 13_000, 1000), now + 13_500) != null);
        guard.leave("a", third);
        assertNull(guard.admit("a", new FakeStream(now + 14_000, 1000), now + 14_000));
    }

    @Test
    void aRefusalIsLoggedOncePerSourceAndReasonPerInterval() {
        Logger logger = Logger.getLogger("redwatch.test.refusals");
        logger.setUseParentHandlers(false);
        List<String> lines = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(h);
        RefusalLog log = new RefusalLog(logger, 60_000);
        for (int i = 0; i < 1000; i++) {
            log.log(Level.WARNING, "10.0.0.1", "sequence number " + i + " too high", () -> "refused");
        }
        log.log(Level.WARNING, "10.0.0.2", "sequence number 1 too high", () -> "refused other source");
        log.log(Level.WARNING, "10.0.0.1", "bad name", () -> "refused other reason");
        assertEquals(
                List.of("refused", "refused other source", "refused other reason"),
                lines.stream().map(l -> l.replaceAll(" \\(logged once.*", "")).toList());
        log.forget("10.0.0.1");
        log.log(Level.WARNING, "10.0.0.1", "bad name", () -> "news again");
        assertEquals(4, lines.size());
        logger.removeHandler(h);
    }

    private static Record ping(long ts) {
        return Record.newBuilder()
                .setPing(PingResult.newBuilder()
                        .setRef(InstanceRef.newBuilder().setInstance("h:1"))
                        .setTsMs(ts))
                .build();
    }

    private static final class FakeStream implements StreamGuard.Live {
        final long heard;
        final int interval;
        Status.Code ended;

        FakeStream(long heard, int interval) {
            this.heard = heard;
            this.interval = interval;
        }

        @Override
        public long lastHeardMs() {
            return heard;
        }

        @Override
        public boolean waitingOnCollector() {
            return false;
        }

        @Override
        public int intervalMs() {
            return interval;
        }

        @Override
        public String peer() {
            return "10.0.0.9";
        }

        @Override
        public void end(Status status, String reason) {
            ended = status.getCode();
        }

        @Override
        public byte[] tokenHash() {
            return null;
        }
    }
}
