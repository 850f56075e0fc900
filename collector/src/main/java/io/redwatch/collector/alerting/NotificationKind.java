package io.redwatch.collector.alerting;

import java.util.Locale;

/** Why a notification exists: the alert started, ended, or is still firing after repeat_interval. */
public enum NotificationKind {
    FIRING,
    RESOLVED,
    REPEAT;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NotificationKind ofWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
