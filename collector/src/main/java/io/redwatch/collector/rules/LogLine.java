package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogClassifier;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.proto.v1.LogEvent;

/** A log event and what it says, classified once when the history is built. */
public record LogLine(LogEvent event, LogKind kind) {

    public static LogLine of(LogEvent e) {
        return new LogLine(e, LogClassifier.kind(e));
    }

    public long tsMs() {
        return event.getTsMs();
    }

    /** False when the line had no timestamp of its own (its time is when it was read). */
    public boolean timed() {
        return event.getTsFromLog();
    }

    public String text() {
        return event.getMessage().isEmpty() ? event.getRaw() : event.getMessage();
    }

    public boolean is(LogKind k) {
        return kind == k;
    }
}
