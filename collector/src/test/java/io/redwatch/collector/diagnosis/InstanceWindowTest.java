package io.redwatch.collector.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.TypedInfo;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.proto.v1.PingResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceWindowTest {
    private static final long NOW = 1_800_000_000_000L;

    private static InstanceWindow window() {
        return new InstanceWindow("db1:6379", "agent-1", "db1", Duration.ofHours(1), NOW - 3_600_000);
    }

    private static TypedInfo info(long ts, String... kv) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) fields.put(kv[i], kv[i + 1]);
        return TypedInfo.of(ts, false, false, fields);
    }

    @Test
    void theNewestSampleKeepsEveryFieldAndOlderOnesWhatRulesReadOverTime() {
        InstanceWindow w = window();
        for (long t = NOW - 600_000; t <= NOW; t += 10_000) {
            w.add(info(t, "used_memory", Long.toString(t % 1000), "maxmemory", "100", "sync_full", "1"), t);
        }
        InstanceView h = w.history(null, NOW);
        InfoView latest = h.latestInfo().orElseThrow();
        assertEquals(NOW, latest.tsMs());
        assertEquals(
                "100", latest.get("maxmemory").orElseThrow(), "the current maxmemory is read from the newest sample");
        assertTrue(h.infos().get(0).has("sync_full"), "a series field is in every sample");
        assertTrue(!h.infos().get(0).has("maxmemory"), "a latest-only field is not kept in older samples");
    }

    @Test
    void aFailedNewestSampleLeavesTheLastReadableOneWhole() {
        InstanceWindow w = window();
        w.add(info(NOW - 20_000, "maxmemory", "100", "used_memory", "5"), NOW - 20_000);
        w.add(TypedInfo.of(NOW - 10_000, false, true, Map.of()), NOW - 10_000);
        InfoView latest = w.history(null, NOW).latestInfo().orElseThrow();
        assertEquals(NOW - 20_000, latest.tsMs());
        assertEquals("100", latest.get("maxmemory").orElseThrow());
    }

    @Test
    void aStormOfOneLineOrOfEqualTimestampsStaysBounded() {
        InstanceWindow w = window();
        LogLine resync = new LogLine(
                NOW - 3_000_000, true, 1, LogKind.FULL_RESYNC, "Full resync requested by replica 10.0.0.2:6379");
        w.add(resync, NOW);
        for (int i = 0; i < 100_000; i++) {
            w.add(
                    new LogLine(
                            NOW - 1000 + i % 1000,
                            true,
                            1,
                            LogKind.FORK_FAILED,
                            "Can't save in background: fork: Cannot allocate memory"),
                    NOW);
            w.add(new LogLine(NOW, true, 1, LogKind.OTHER, i + "x".repeat(10_000)), NOW);
        }
        for (int i = 0; i < 10_000; i++) w.add(info(NOW, "used_memory", "1"), NOW);
        for (int i = 0; i < 10_000; i++)
            w.add(PingResult.newBuilder().setTsMs(NOW).setReply("PONG").build(), NOW);
        InstanceView h = w.history(null, NOW);
        assertEquals(InstanceWindow.LOGS_PER_KIND, h.logs(LogKind.FORK_FAILED).size());
        assertEquals(1, h.logs(LogKind.FULL_RESYNC).size(), "a storm of one kind does not push out another");
        List<LogLine> other = h.logs(LogKind.OTHER);
        assertEquals(InstanceWindow.OTHER_LOGS, other.size());
        assertEquals(LogLine.MAX_TEXT, other.get(0).text().length(), "a huge line is cut");
        assertTrue(h.infos().size() <= InstanceWindow.MAX_FULL_RATE + InstanceWindow.MAX_THINNED);
        assertTrue(h.pings().size() <= InstanceWindow.MAX_PINGS);
    }

    @Test
    void theStoredPastGoesBeforeWhatArrivedLive() {
        InstanceWindow w = window();
        w.add(info(NOW, "used_memory", "3", "maxmemory", "100"), NOW);
        RecentRecords past = new RecentRecords(
                List.of(info(NOW - 20_000, "used_memory", "1"), info(NOW, "used_memory", "stale duplicate")),
                List.of(),
                List.of(),
                List.of(new LogLine(
                        NOW - 30_000, true, 1, LogKind.FULL_RESYNC, "Full resync requested by replica 10.0.0.2:6379")),
                null,
                null);
        w.preload(past, NOW);
        InstanceView h = w.history(null, NOW);
        assertEquals(
                List.of(NOW - 20_000, NOW),
                h.infos().stream().map(InfoView::tsMs).toList());
        assertEquals("3", h.latestInfo().orElseThrow().get("used_memory").orElseThrow(), "the live sample wins");
        assertEquals(1, h.logs(LogKind.FULL_RESYNC).size());
        assertTrue(w.preloaded());
    }
}
