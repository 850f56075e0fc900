package io.redwatch.collector.diagnosis;

/**
 * A span when no collector was listening: from the last word stored before this collector started
 * (the previous one crashed or was stopped) to its start. An agent's silence inside it is not
 * evidence against the agent, so agent_silent does not count it: a collector restart must not page
 * for every agent. Silence before it still counts, so an agent already silent stays silent.
 */
record Outage(long fromMs, long toMs) {
    static final Outage NONE = new Outage(0, 0);

    /** {@code lastSeenMs} moved forward past the part of the outage that came after it. */
    long discounted(long lastSeenMs) {
        if (toMs <= fromMs || lastSeenMs >= toMs) return lastSeenMs;
        return lastSeenMs + (toMs - Math.max(fromMs, lastSeenMs));
    }
}
