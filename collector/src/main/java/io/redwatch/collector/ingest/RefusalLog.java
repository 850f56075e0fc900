package io.redwatch.collector.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs a refusal once per source and reason per interval: whoever retries every second (an agent at
 * its backoff, a scanner, a misconfigured clone) costs one log line per interval, not one per try.
 * What happens in between is counted on /metrics by the caller.
 */
public final class RefusalLog {
    /** Forgotten keys are logged again at once; bounded so made-up sources cannot grow the map. */
    private static final int MAX_KEYS = 10_000;

    public static final long DEFAULT_INTERVAL_MS = 10 * 60_000L;

    private final Logger log;
    private final long intervalMs;
    private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();

    public RefusalLog(Logger log, long intervalMs) {
        this.log = log;
        this.intervalMs = intervalMs;
    }

    /** Logs {@code line} unless this source and reason were logged within the interval; true when logged. */
    public boolean log(Level level, String source, String reason, java.util.function.Supplier<String> line) {
        long now = System.currentTimeMillis();
        String key = source + '\0' + digitless(reason);
        Long before = lastLogged.get(key);
        if (before != null && now - before < intervalMs) return false; // the common case: no lock, no allocation
        if (lastLogged.size() >= MAX_KEYS) lastLogged.clear();
        boolean[] due = {false};
        lastLogged.compute(key, (k, last) -> {
            if (last != null && now - last < intervalMs) return last; // another thread logged it just now
            due[0] = true;
            return now;
        });
        if (!due[0]) return false;
        log.log(level, line.get() + " (logged once per " + intervalMs / 60_000 + " min for this source and reason)");
        return true;
    }

    /** "sequence number 12 is …" and "… 13 is …" are one reason: digits do not make a reason new. */
    private static String digitless(String reason) {
        StringBuilder b = null;
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (c >= '0' && c <= '9') {
                if (b == null) b = new StringBuilder(reason.length()).append(reason, 0, i);
                if (b.length() == 0 || b.charAt(b.length() - 1) != '#') b.append('#');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? reason : b.toString();
    }

    /** Forgets a source, so its next refusal is news again (it was let in meanwhile). */
    public void forget(String source) {
        if (lastLogged.isEmpty()) return;
        String prefix = source + '\0';
        lastLogged.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
