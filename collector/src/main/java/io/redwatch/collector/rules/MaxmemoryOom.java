package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.MemoryLimit;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * maxmemory_oom: writes fail for memory. From one INFO sample by mechanism ({@link MemoryLimit#refusing}),
 * from OOM replies counted rising across samples, or from an OOM error pasted with the log.
 */
final class MaxmemoryOom implements Rule {
    @Override
    public String id() {
        return "maxmemory_oom";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        Optional<MemoryLimit> m = MemoryLimit.of(h);
        // Redis does not log refused writes; it counts them (Redis 6.2+): errorstat_OOM:count=N.
        long counted = latestOomCount(h);
        String refusing = m.map(l -> l.refusing(counted)).orElse("");
        List<LogLine> oom = h.logs(LogKind.OOM);
        OptionalLong refused = oomRepliesInWindow(h);
        if (refusing.isEmpty() && oom.isEmpty() && refused.isEmpty()) return Optional.empty();
        List<String> evidence = new ArrayList<>(h.evidence(oom, t.evidenceLines()));
        refused.ifPresent(n ->
                evidence.add(h.latestInfo().map(i -> h.time(i.tsMs())).orElse("") + " INFO errorstats: " + n
                        + " writes refused with OOM within the window (errorstat_OOM)"));
        if (refused.isEmpty() && counted > 0) {
            evidence.add(h.infoWith("errorstat_OOM")
                            .map(i -> i.pasted() ? "INFO (pasted)" : h.time(i.tsMs()) + " INFO")
                            .orElse("INFO")
                    + ": errorstat_OOM count=" + counted + " (OOM replies since the last restart or CONFIG RESETSTAT)");
        }
        m.ifPresent(l -> {
            evidence.add(l.evidence(h) + String.format(java.util.Locale.ROOT, " = %.1f%%", l.ratio() * 100));
            evidence.add(l.policy().evidence());
        });
        String summary = h.instance() + " refuses writes: used memory reached maxmemory"
                + m.map(l -> " (" + ByteSize.human(l.used()) + " of " + ByteSize.human(l.max()) + ", policy "
                                + l.policy().value() + ")")
                        .orElse("")
                + (refusing.contains("nothing left") ? ", nothing left to evict" : "")
                + (oom.isEmpty() && refused.isEmpty() && counted == 0 ? "" : "; clients get OOM command not allowed");
        String advice = "Raise the limit if the host has room: `redis-cli CONFIG SET maxmemory "
                + m.map(l -> raised(l, t)).orElse("<bytes>")
                + "` (no restart needed) and the same in redis.conf; or free memory: `redis-cli --bigkeys`, expire or delete data; "
                + (refusing.contains("nothing left")
                        ? "a volatile-* policy evicts only keys with a TTL: set TTLs on the data, or `redis-cli CONFIG SET maxmemory-policy allkeys-lru` for a cache."
                        : "for a cache, `redis-cli CONFIG SET maxmemory-policy allkeys-lru`.");
        long ts = !oom.isEmpty()
                ? oom.get(oom.size() - 1).tsMs()
                : m.isPresent()
                        ? m.get().tsMs()
                        : h.latestInfo().map(InfoView::tsMs).orElse(h.nowMs());
        return Optional.of(Finding.of(h, id(), Severity.CRITICAL, summary, evidence, advice, ts));
    }

    /** A limit with room for what is used now, by the configured headroom, in whole megabytes. */
    private static String raised(MemoryLimit l, Thresholds t) {
        long bytes = (long) Math.ceil(Math.max(l.used(), l.max()) * Math.min(t.headroom(), 1.5) / (1L << 20));
        return bytes + "mb";
    }

    /** The errorstat_OOM count of the newest sample holding it: refusals since the last restart. */
    private static long latestOomCount(InstanceView h) {
        return h.infoWith("errorstat_OOM").map(MaxmemoryOom::oomCount).orElse(0L);
    }

    /** Live paging asks whether writes are refused now: refusals of the last minute. */
    private static final long LIVE_WINDOW_MS = 60_000;

    /**
     * OOM replies counted in the window (live: the last minute): the growth of errorstat_OOM's count
     * from the first sample to the last.
     */
    private static OptionalLong oomRepliesInWindow(InstanceView h) {
        List<InfoView> infos = h.currentOnly()
                ? h.infos().stream()
                        .filter(i -> h.nowMs() - i.tsMs() <= LIVE_WINDOW_MS)
                        .toList()
                : h.infos();
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
