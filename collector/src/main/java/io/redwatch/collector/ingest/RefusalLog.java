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
        String key = source + '\0' + reason;
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

    /** Forgets a source, so its next refusal is news again (it was let in meanwhile). */
    public void forget(String source) {
        if (lastLogged.isEmpty()) return;
        String prefix = source + '\0';
        lastLogged.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
