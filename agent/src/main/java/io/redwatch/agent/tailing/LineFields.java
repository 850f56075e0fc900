package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.LogEvent;

/**
 * What one parse found; one per call, so the parser itself stays free of per-line state. The
 * scanners write straight into these fields (no getters): this runs for every tailed line.
 */
final class LineFields {
    String text;
    int messageStart;
    int pid;
    String role = "";
    int level;
    int year;
    int month;
    int day;
    int hour;
    int minute;
    int second;
    int nanos;
    int fractionDigits;
    long epochSeconds = -1;
    long tsMs;
    String wrapper = "";

    /** Forgets what a failed scan left; time of day, tsMs and wrapper are set before they are read. */
    void reset() {
        text = null;
        messageStart = 0;
        pid = 0;
        role = "";
        level = 0;
        year = -1;
        month = 0;
        day = 0;
        epochSeconds = -1;
    }

    LogEvent.Builder fill(LogEvent.Builder event, String raw) {
        int end = text.length();
        while (end > messageStart && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return event.setParsed(true)
                .setTsMs(tsMs)
                .setTsFromLog(true)
                .setPid(pid)
                .setRole(role)
                .setLevelValue(level)
                .setMessage(
                        messageStart == 0 && end == text.length()
                                ? text
                                : text.substring(Math.min(messageStart, end), end))
                .setWrapper(wrapper);
    }
}
