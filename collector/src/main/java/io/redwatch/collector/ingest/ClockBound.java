package io.redwatch.collector.ingest;

import io.redwatch.proto.RecordTime;
import io.redwatch.proto.v1.Record;

/**
 * How far a record's own time is believed. A record stamped more than {@link #MAX_AHEAD_MS} ahead of
 * the collector's clock, or before the past bound (the retention: older rows would be deleted at
 * once), is stored at the collector's receive time instead, and the agent is flagged
 * ({@code redwatch_agents.clock_skew_ms}, {@code clock_adjusted_records}): a ping stamped in year
 * 9999 would otherwise stay an instance's latest row for good. One exception: a log line carrying
 * the log's own old timestamp is a real old line (the agent reads the last MiB of a log it first
 * sees); moving it to now would make an old failure look current, so it is not stored.
 */
public final class ClockBound {
    public static final long MAX_AHEAD_MS = 5 * 60_000L;

    public enum Verdict {
        KEEP,
        RESTAMP,
        DROP
    }

    private final long maxBehindMs;

    public ClockBound(int retentionDays) {
        this.maxBehindMs = retentionDays * 86_400_000L;
    }

    public Verdict judge(Record r, long nowMs) {
        if (r.getKindCase() == Record.KindCase.GAP || r.getKindCase() == Record.KindCase.KIND_NOT_SET)
            return Verdict.KEEP;
        long ts = RecordTime.of(r); // a gap (a span, never moved) was kept above
        if (ts > nowMs + MAX_AHEAD_MS) return Verdict.RESTAMP;
        if (ts < nowMs - maxBehindMs) {
            return r.getKindCase() == Record.KindCase.LOG && r.getLog().getTsFromLog() ? Verdict.DROP : Verdict.RESTAMP;
        }
        return Verdict.KEEP;
    }

    /** The record at the collector's receive time; a log line says its time is no longer the log's own. */
    static Record restamp(Record r, long nowMs) {
        Record.Builder b = r.toBuilder();
        switch (r.getKindCase()) {
            case INFO -> b.getInfoBuilder().setTsMs(nowMs);
            case PING -> b.getPingBuilder().setTsMs(nowMs);
            case CONFIG -> b.getConfigBuilder().setTsMs(nowMs);
            case LOG -> b.getLogBuilder().setTsMs(nowMs).setTsFromLog(false);
            case HOST -> b.getHostBuilder().setTsMs(nowMs);
            case PROCESS -> b.getProcessBuilder().setTsMs(nowMs);
            case GAP, KIND_NOT_SET -> {}
        }
        return b.build();
    }
}
