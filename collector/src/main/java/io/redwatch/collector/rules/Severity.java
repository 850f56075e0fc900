package io.redwatch.collector.rules;

import java.util.Locale;

/** How urgent a finding is; routes decide who is paged for which. */
public enum Severity {
    CRITICAL,
    WARNING,
    INFO;

    /** The word used in JSON, the database and alerts: "critical", "warning", "info". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity ofWord(String word) {
        return valueOf(word.trim().toUpperCase(Locale.ROOT));
    }
}
