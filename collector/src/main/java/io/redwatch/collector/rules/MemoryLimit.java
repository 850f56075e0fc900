package io.redwatch.collector.rules;

import java.util.OptionalLong;

/** used_memory against maxmemory, with where maxmemory came from. */
record MemoryLimit(long used, long max, Setting maxSetting, Setting policy, long tsMs, boolean pasted) {

    static java.util.Optional<MemoryLimit> of(InstanceHistory h) {
        java.util.Optional<InfoView> info = h.infoWith("used_memory");
        if (info.isEmpty()) return java.util.Optional.empty();
        OptionalLong used = info.get().number("used_memory");
        Setting max = h.setting("maxmemory");
        long maxBytes = ByteSize.parse(max.value());
        if (used.isEmpty() || maxBytes <= 0) return java.util.Optional.empty();
        return java.util.Optional.of(new MemoryLimit(used.getAsLong(), maxBytes, max, h.setting("maxmemory-policy"),
                info.get().tsMs(), info.get().pasted()));
    }

    double ratio() {
        return (double) used / max;
    }

    boolean noeviction() {
        return "noeviction".equalsIgnoreCase(policy.value().trim());
    }

    String evidence(InstanceHistory h) {
        return (pasted ? "INFO (pasted)" : h.time(tsMs) + " INFO") + ": used_memory " + used + " (" + ByteSize.human(used) + "), maxmemory "
                + max + " (" + ByteSize.human(max) + ", " + maxSetting.source() + ")";
    }
}
