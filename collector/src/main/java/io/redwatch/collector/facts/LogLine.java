package io.redwatch.collector.facts;

import io.redwatch.proto.v1.LogEvent;

/**
 * A log line as the collector holds it after ingest: its time, the pid that wrote it, its kind
 * (classified once, when it arrived) and its text. Windows keep these, not the agent's records,
 * which also carry the file identity, offsets and the raw text of a parsed line.
 *
 * @param timed false when the line had no timestamp of its own (its time is when it was read)
 */
public record LogLine(long tsMs, boolean timed, int pid, LogKind kind, String text) {
    /**
     * Texts longer than this are cut in a window: evidence quotes the start of a line (the longest
     * Redis writes, a client description with its output buffers, is ~300 characters), and a line
     * from a wrapped or broken log can be megabytes.
     */
    public static final int MAX_TEXT = 512;

    /** Classifies the event: the one place an arriving line gets its kind. */
    public static LogLine of(LogEvent e) {
        return of(e, LogClassifier.kind(e));
    }

    /** For an event whose kind is already known (stored with it, or classified by ingest). */
    public static LogLine of(LogEvent e, LogKind kind) {
        String text = e.getMessage().isEmpty() ? e.getRaw() : e.getMessage();
        return new LogLine(e.getTsMs(), e.getTsFromLog(), e.getPid(), kind, text);
    }

    /** The same line with its text cut to {@link #MAX_TEXT}, for a window that must stay small. */
    public LogLine bounded() {
        return text.length() <= MAX_TEXT ? this : new LogLine(tsMs, timed, pid, kind, text.substring(0, MAX_TEXT));
    }

    public boolean is(LogKind k) {
        return kind == k;
    }
}
