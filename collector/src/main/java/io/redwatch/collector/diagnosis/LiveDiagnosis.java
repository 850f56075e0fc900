package io.redwatch.collector.diagnosis;

import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.Record;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the rules while data streams in. Ingest hands over each stored batch ({@link #observe}, cheap,
 * in memory); a timer evaluates the instances that received data since their last evaluation, at
 * most once per {@code minSpacing}, and passes every finding to the sink (alerting). Ingest never
 * waits on diagnosis or on alerting's database work.
 *
 * <p>The windows live in memory. When this collector first sees an instance (after a restart, or
 * when it takes an agent over from another collector) the window is filled from the database
 * before the instance is judged, so a resync loop or a rising pipe count is still seen and its
 * alert does not falsely resolve because the collector restarted.
 */
public final class LiveDiagnosis {
    private static final Logger LOG = Logger.getLogger(LiveDiagnosis.class.getName());

    /** Longer than the agent's default config interval (60 s), so one late CONFIG is still waited for. */
    private static final long CONFIG_WAIT_MS = 150_000;
    private static final long LOAD_WARNING_SPACING_MS = 60_000;

    private final Diagnosis diagnosis;
    private final Duration window;
    private final long minSpacingMs;
    private final FindingsSink sink;
    private final HistoryLoader history;
    private final Map<String, InstanceWindow> instances = new ConcurrentHashMap<>();
    private final Map<String, HostFacts> hosts = new ConcurrentHashMap<>();
    private final Map<String, Long> lastEvaluatedMs = new ConcurrentHashMap<>();
    private long lastLoadWarningMs;

    public LiveDiagnosis(Diagnosis diagnosis, Duration window, Duration minSpacing, FindingsSink sink, HistoryLoader history) {
        this.diagnosis = diagnosis;
        this.window = window;
        this.minSpacingMs = minSpacing.toMillis();
        this.sink = sink;
        this.history = history;
    }

    /** A batch the collector has just committed. */
    public void observe(String agentHost, Batch batch) {
        for (Record r : batch.getRecordsList()) {
            switch (r.getKindCase()) {
                case INFO -> window(r.getInfo().getRef(), agentHost).add(r.getInfo());
                case PING -> window(r.getPing().getRef(), agentHost).add(r.getPing());
                case CONFIG -> window(r.getConfig().getRef(), agentHost).add(r.getConfig());
                case LOG -> window(r.getLog().getRef(), agentHost).add(r.getLog());
                case PROCESS -> window(r.getProcess().getRef(), agentHost).add(r.getProcess());
                case HOST -> {
                    String h = r.getHost().getHost().isEmpty() ? agentHost : r.getHost().getHost();
                    hosts.merge(h, r.getHost(), (a, b) -> b.getTsMs() >= a.getTsMs() ? b : a);
                }
                default -> {
                }
            }
        }
    }

    private InstanceWindow window(InstanceRef ref, String agentHost) {
        String host = ref.getHost().isEmpty() ? agentHost : ref.getHost();
        InstanceWindow w = instances.computeIfAbsent(ref.getInstance(), i -> new InstanceWindow(i, host, window));
        w.host(host);
        return w;
    }

    /** Evaluates every instance with new data whose last evaluation is old enough; returns how many. */
    public int evaluateDue(long nowMs) {
        int n = 0;
        for (InstanceWindow w : instances.values()) {
            if (w.changedMs() == 0 || !w.preloaded() && !preload(w, nowMs) || !w.ready(nowMs, CONFIG_WAIT_MS)) continue;
            long last = lastEvaluatedMs.getOrDefault(w.instance(), 0L);
            if (nowMs - last < minSpacingMs) continue;
            w.evaluated();
            lastEvaluatedMs.put(w.instance(), nowMs);
            try {
                List<Finding> findings = diagnosis.run(w.history(hosts.get(w.host()), nowMs));
                sink.evaluated(w.instance(), w.host(), findings, nowMs);
                n++;
            } catch (RuntimeException e) {
                // One instance's failure must not stop the others from being diagnosed.
                LOG.log(Level.WARNING, "diagnosis of " + w.instance() + " failed; will retry with its next data", e);
            }
        }
        return n;
    }

    /** Fills a new window from the database; false (and the instance waits) when it cannot be read. */
    private boolean preload(InstanceWindow w, long nowMs) {
        RecentRecords past;
        try {
            // Outside the window's lock: ingest keeps adding to it while the database answers.
            past = history.load(w.instance(), w.host(), nowMs - window.toMillis(), nowMs - InstanceWindow.FULL_RATE_MS,
                    InstanceWindow.LOGS_PER_KIND);
        } catch (RuntimeException e) {
            // Judging without the history could resolve alerts that still hold; wait for the database.
            if (nowMs - lastLoadWarningMs >= LOAD_WARNING_SPACING_MS) {
                lastLoadWarningMs = nowMs;
                LOG.warning("diagnosis of " + w.instance() + " waits: " + e.getMessage()
                        + "; it resumes by itself once PostgreSQL answers (check /health)");
            }
            return false;
        }
        w.preload(past);
        if (past.host() != null) hosts.merge(w.host(), past.host(), (a, b) -> b.getTsMs() >= a.getTsMs() ? b : a);
        LOG.fine(() -> "window of " + w.instance() + " filled with " + past.size() + " stored record(s)");
        return true;
    }

    /** Instances with a live window (for /metrics). */
    public int watched() {
        return instances.size();
    }

    /** Windows not yet filled from the database: their instances wait to be diagnosed (for /metrics). */
    public int waitingForRefill() {
        int n = 0;
        for (InstanceWindow w : instances.values()) if (!w.preloaded()) n++;
        return n;
    }
}
