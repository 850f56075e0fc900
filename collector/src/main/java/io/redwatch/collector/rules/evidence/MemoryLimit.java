package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.Setting;
import java.util.OptionalLong;

/** used_memory against maxmemory, with where maxmemory came from. */
public record MemoryLimit(
        long used, long max, Setting maxSetting, Setting policy, long tsMs, boolean pasted, boolean countsRefusals) {

    public static java.util.Optional<MemoryLimit> of(InstanceView h) {
        java.util.Optional<InfoView> info = h.infoWith("used_memory");
        if (info.isEmpty()) return java.util.Optional.empty();
        OptionalLong used = info.get().number("used_memory");
        Setting max = h.setting("maxmemory");
        long maxBytes = ByteSize.parse(max.value());
        if (used.isEmpty() || maxBytes <= 0) return java.util.Optional.empty();
        // Redis counts OOM replies (errorstats) from 6.2 on; an unknown version is assumed to count them.
        boolean counts = h.infoWith("errorstat_OOM").isPresent()
                || h.version().map(v -> v.atLeast(6, 2, 0)).orElse(true);
        return java.util.Optional.of(new MemoryLimit(
                used.getAsLong(),
                maxBytes,
                max,
                h.setting("maxmemory-policy"),
                info.get().tsMs(),
                info.get().pasted(),
                counts));
    }

    public double ratio() {
        return (double) used / max;
    }

    public boolean noeviction() {
        return "noeviction".equalsIgnoreCase(policy.value().trim());
    }

    /** volatile-lru, volatile-lfu, volatile-random, volatile-ttl: only keys with a TTL may be evicted. */
    boolean volatileOnly() {
        return policy.value().trim().toLowerCase(java.util.Locale.ROOT).startsWith("volatile-");
    }

    /**
     * Whether writes are refused now, judged from this one sample by mechanism: at the limit under
     * noeviction; within 2 % of it under noeviction while Redis counts OOM replies (used_memory
     * includes replication and AOF buffers that eviction does not count, so a refusing Redis can
     * report slightly less than maxmemory); or far (5 %) above it under a volatile-* policy, which
     * can only mean nothing with a TTL is left to evict, since an evicting Redis stays at its limit.
     */
    public String refusing(long oomRepliesCounted) {
        if (noeviction() && ratio() >= 1.0) return "at the limit with noeviction";
        // Before 6.2 Redis counts no refused writes, and after refusing one it reads up to a request's
        // size under its limit (2.8 measured 32 bytes to 33 KB under 4 MB): under noeviction, within
        // 1 % of the limit is where its writes are being refused.
        if (noeviction() && !countsRefusals && ratio() >= 0.99) {
            return "at the limit with noeviction (this Redis counts no refused writes; within 1 % of the limit they fail)";
        }
        if (noeviction() && ratio() >= 0.98 && oomRepliesCounted > 0)
            return "at the limit with noeviction, " + oomRepliesCounted + " writes refused";
        if (volatileOnly() && ratio() >= 1.05)
            return "above the limit with nothing left that " + policy.value().trim() + " may evict";
        return "";
    }

    public String evidence(InstanceView h) {
        return (pasted ? "INFO (pasted)" : h.time(tsMs) + " INFO") + ": used_memory " + used + " ("
                + ByteSize.human(used) + "), maxmemory " + max + " (" + ByteSize.human(max) + ", " + maxSetting.source()
                + ")";
    }
}
