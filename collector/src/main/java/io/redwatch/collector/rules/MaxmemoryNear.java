package io.redwatch.collector.rules;

import io.redwatch.collector.rules.evidence.MemoryLimit;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** maxmemory_near: used_memory at {@code maxmemoryNearRatio} of maxmemory or more (below the limit; at it, maxmemory_oom speaks). */
final class MaxmemoryNear implements Rule {
    @Override
    public String id() {
        return "maxmemory_near";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        Optional<MemoryLimit> m = MemoryLimit.of(h);
        if (m.isEmpty() || m.get().ratio() < t.maxmemoryNearRatio()) return Optional.empty();
        MemoryLimit l = m.get();
        // Where maxmemory_oom judges the same sample as refusing writes, it speaks alone: one verdict per evidence.
        long counted = h.infoWith("errorstat_OOM").isPresent()
                        && new MaxmemoryOom().evaluate(h, t).isPresent()
                ? 1
                : 0;
        if (!l.refusing(counted).isEmpty()) return Optional.empty();
        String summary = String.format(
                Locale.ROOT,
                "%s uses %.0f%% of maxmemory (%s of %s, policy %s)",
                h.instance(),
                l.ratio() * 100,
                ByteSize.human(l.used()),
                ByteSize.human(l.max()),
                l.policy().value());
        String advice = l.noeviction()
                ? "At the limit every write fails with OOM. Raise it now if the host has room (`redis-cli CONFIG SET maxmemory <bytes>` "
                        + "and in redis.conf), find big keys (`redis-cli --bigkeys`), or set TTLs / an eviction policy if this is a cache."
                : "The " + l.policy().value()
                        + " policy evicts keys at the limit; if evictions are not wanted, raise maxmemory.";
        // With an eviction policy, running near the limit is how a cache works: worth knowing, not a page.
        Severity sev = l.noeviction() ? Severity.WARNING : Severity.INFO;
        return Optional.of(Finding.of(
                h, id(), sev, summary, List.of(l.evidence(h), l.policy().evidence()), advice, l.tsMs()));
    }
}
