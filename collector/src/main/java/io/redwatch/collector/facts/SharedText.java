package io.redwatch.collector.facts;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each short, often repeated text a window holds (roles, statuses, policies, versions,
 * master hosts, PING replies): ten thousand instances saying "master" hold one string, not ten
 * thousand. Bounded, because the texts come from the network: past {@link #MAX_ENTRIES} distinct
 * values, or for long values, the caller keeps its own copy.
 */
public final class SharedText {
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_LENGTH = 128;

    private static final ConcurrentHashMap<String, String> VALUES = new ConcurrentHashMap<>();

    private SharedText() {}

    public static String of(String s) {
        if (s == null || s.length() > MAX_LENGTH) return s;
        String shared = VALUES.get(s);
        if (shared != null) return shared;
        if (VALUES.size() >= MAX_ENTRIES) return s;
        shared = VALUES.putIfAbsent(s, s);
        return shared == null ? s : shared;
    }
}
