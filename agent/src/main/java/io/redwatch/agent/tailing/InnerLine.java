package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.LogEvent;

/**
 * Reads what a wrapper wraps: a whole Redis line, or (with {@code syslog-enabled yes}) only the
 * message, which then takes its time, pid and level from the wrapper.
 *
 * <p><b>Which timestamp wins:</b> a wrapper timestamp that carries a UTC offset (docker, RFC 5424,
 * RFC 3339, short-iso) names an exact instant and wins; this matters because containers usually
 * log in UTC whatever the host's zone. Otherwise the inner Redis line's own timestamp wins (it has
 * milliseconds), and a BSD syslog timestamp is used only for a message-only inner line. The pid,
 * role and level always come from the inner Redis line when it has them.
 */
final class InnerLine {

    private final LogZone zone;

    InnerLine(LogZone zone) {
        this.zone = zone;
    }

    /** A whole Redis line at {@code p}, with its timestamp resolved. */
    boolean redisAt(String s, int p, long ref, LineFields f) {
        return RedisLineScanner.scan(s, p, f) >= 0 && zone.resolve(f, ref);
    }

    /**
     * The text at {@code p} inside a wrapper whose label is already in {@code f.wrapper}.
     *
     * @param stamp the wrapper's time, or null when it has none (then a bare message is refused)
     * @param pid the wrapper's pid, 0 if none
     * @param priority the syslog PRI, or -1 if none
     */
    boolean read(String s, int p, long ref, LineFields f, WrapperStamp stamp, int pid, int priority) {
        String wrapper = f.wrapper;
        if (redisAt(s, p, ref, f)) {
            if (stamp != null && stamp.hasOffset) {
                f.tsMs = stamp.epochMs;
            }
            if (f.pid == 0) {
                f.pid = pid;
            }
            f.wrapper = wrapper;
            return true;
        }
        if (stamp == null) {
            return false;
        }
        f.reset();
        f.wrapper = wrapper;
        f.tsMs = stamp.epochMs;
        f.pid = pid;
        f.level = priority < 0 ? 0 : levelFromSyslogSeverity(priority & 7);
        f.text = s;
        f.messageStart = p;
        return true;
    }

    /** Inverse of Redis's syslogLevelMap {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING}. */
    private static int levelFromSyslogSeverity(int severity) {
        switch (severity) {
            case 7:
                return LogEvent.Level.DEBUG_VALUE;
            case 6:
                return LogEvent.Level.VERBOSE_VALUE;
            case 5:
                return LogEvent.Level.NOTICE_VALUE;
            case 4:
                return LogEvent.Level.WARNING_VALUE;
            default:
                return 0;
        }
    }
}
