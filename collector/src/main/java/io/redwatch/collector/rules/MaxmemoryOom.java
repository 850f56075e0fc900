package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.LogKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** maxmemory_oom: used_memory at maxmemory with noeviction, or an OOM error seen: writes fail. */
final class MaxmemoryOom implements Rule {
    @Override
    public String id() {
        return "maxmemory_oom";
    }

    @Override
    public Optional<Finding> evaluate(InstanceHistory h, Thresholds t) {
        Optional<MemoryLimit> m = MemoryLimit.of(h);
        boolean atLimit = m.isPresent() && m.get().ratio() >= 1.0 && m.get().noeviction();
        List<LogLine> oom = h.logs(LogKind.OOM);
        // Redis does not log refused writes; it counts them (Redis 6.2+): errorstat_OOM:count=N.
        OptionalLong refused = oomRepliesInWindow(h);
        if (!atLimit && oom.isEmpty() && refused.isEmpty()) return Optional.empty();
        List<String> evidence = new ArrayList<>(h.evidence(oom, t.evidenceLines()));
        refused.ifPresent(n -> evidence.add(h.latestInfo().map(i -> h.time(i.tsMs())).orElse("") + " INFO errorstats: "
                + n + " writes refused with OOM within the window (errorstat_OOM)"));
        m.ifPresent(l -> {
            evidence.add(l.evidence(h));
            evidence.add(l.policy().evidence());
        });
        String summary = h.instance() + " refuses writes: used memory reached maxmemory"
                + m.map(l -> " (" + ByteSize.human(l.used()) + " of " + ByteSize.human(l.max()) + ", policy " + l.policy().value() + ")").orElse("")
                + (oom.isEmpty() && refused.isEmpty() ? "" : "; clients get OOM command not allowed");
        String advice = "Raise the limit if the host has room: `redis-cli CONFIG SET maxmemory <bytes>` (no restart needed) and the same in "
                + "redis.conf; or free memory: `redis-cli --bigkeys`, expire or delete data; for a cache, "
                + "`redis-cli CONFIG SET maxmemory-policy allkeys-lru`.";
        long ts = !oom.isEmpty() ? oom.get(oom.size() - 1).tsMs()
                : m.isPresent() ? m.get().tsMs() : h.latestInfo().map(InfoView::tsMs).orElse(h.nowMs());
        return Optional.of(h.finding(id(), Severity.CRITICAL, summary, evidence, advice, ts));
    }

    /** Live paging asks whether writes are refused now: refusals of the last minute. */
    private static final long LIVE_WINDOW_MS = 60_000;

    /**
     * OOM replies counted in the window (live: the last minute): the growth of errorstat_OOM's count
     * from the first sample to the last.
     */
    private static OptionalLong oomRepliesInWindow(InstanceHistory h) {
        List<InfoView> infos = h.currentOnly()
                ? h.infos().stream().filter(i -> h.nowMs() - i.tsMs() <= LIVE_WINDOW_MS).toList() : h.infos();
        if (infos.isEmpty()) return OptionalLong.empty();
        long first = oomCount(infos.get(0));
        long last = oomCount(infos.get(infos.size() - 1));
        // A single sample (or a restart, which resets the count) proves nothing but a non-zero count now.
        long grown = infos.size() == 1 || last < first ? 0 : last - first;
        return grown > 0 ? OptionalLong.of(grown) : OptionalLong.empty();
    }

    private static long oomCount(InfoView i) {
        String v = i.get("errorstat_OOM").orElse("");
        int at = v.indexOf("count=");
        if (at < 0) return 0;
        int end = at + 6;
        while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
        return end == at + 6 ? 0 : Long.parseLong(v.substring(at + 6, end));
    }
}
