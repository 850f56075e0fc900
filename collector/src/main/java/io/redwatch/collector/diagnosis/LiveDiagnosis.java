package io.redwatch.collector.diagnosis;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.collector.storage.RecentRecordsReader;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the rules while data streams in. Ingest hands over each stored batch ({@link #observe},
 * cheap, in memory); a timer evaluates the instances that received data since their last
 * evaluation, at most once per {@code minSpacing}, and passes every finding to the sink
 * (alerting). Ingest never waits on diagnosis, on refills or on alerting's database work.
 *
 * <p>The windows live in memory. When this collector first sees an instance (after a restart, or
 * when it takes an agent over from another collector) the window is filled from the database
 * before the instance is judged, so a resync loop or a rising pipe count is still seen and its
 * alert does not falsely resolve because the collector restarted. Fills run apart from evaluation
 * ({@link #refillDue}), many instances per query: a restart with every agent reconnecting refills
 * in a few bulk reads while the instances already filled keep being judged.
 *
 * <p>Bounded: an agent may bring at most {@link #MAX_INSTANCES_PER_AGENT} instances, the collector
 * holds at most {@code maxInstances} windows, and a window that has heard nothing for twice its
 * length is dropped (what it held is in the database; it is filled again if the instance returns).
 */
public final class LiveDiagnosis {
    private static final Logger LOG = Logger.getLogger(LiveDiagnosis.class.getName());

    /** Longer than the agent's default config interval (60 s), so one late CONFIG is still waited for. */
    private static final long CONFIG_WAIT_MS = 150_000;

    private static final long WARNING_SPACING_MS = 60_000;
    /** How soon an instance is judged again when telling log lines arrived: about the agent's log poll. */
    private static final long LOG_SPACING_MS = 1_000;
    /** Instances one refill query reads: large enough that a restart storm is a few dozen queries. */
    static final int REFILL_BATCH = 500;

    public static final int MAX_INSTANCES_PER_AGENT = 1_000;
    public static final int DEFAULT_MAX_INSTANCES = 20_000;

    private final Diagnosis diagnosis;
    private final Duration window;
    private final long minSpacingMs;
    private final FindingsSink sink;
    private final HistoryLoader history;
    private final int maxInstances;
    private final Map<String, InstanceWindow> instances = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perAgent = new ConcurrentHashMap<>();
    private final Map<String, HostFacts> hosts = new ConcurrentHashMap<>();
    private final Map<String, Long> lastEvaluatedMs = new ConcurrentHashMap<>();
    private final Map<String, Long> warned = new ConcurrentHashMap<>();

    public LiveDiagnosis(
            Diagnosis diagnosis, Duration window, Duration minSpacing, FindingsSink sink, HistoryLoader history) {
        this(diagnosis, window, minSpacing, sink, history, DEFAULT_MAX_INSTANCES);
    }

    public LiveDiagnosis(
            Diagnosis diagnosis,
            Duration window,
            Duration minSpacing,
            FindingsSink sink,
            HistoryLoader history,
            int maxInstances) {
        this.diagnosis = diagnosis;
        this.window = window;
        this.minSpacingMs = minSpacing.toMillis();
        this.sink = sink;
        this.history = history;
        this.maxInstances = maxInstances;
    }

    /** A batch the collector has just committed, read by ingest; {@code nowMs} is the collector's clock. */
    public void observe(String agentId, String agentHost, BatchFacts facts, long nowMs) {
        List<Record> records = facts.records();
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            int index = i;
            switch (r.getKindCase()) {
                case INFO ->
                    add(r.getInfo().getRef(), agentId, agentHost, nowMs, w -> w.add(facts.typedInfo(index), nowMs));
                case PING -> add(r.getPing().getRef(), agentId, agentHost, nowMs, w -> w.add(r.getPing(), nowMs));
                case CONFIG -> add(r.getConfig().getRef(), agentId, agentHost, nowMs, w -> w.add(r.getConfig(), nowMs));
                case LOG ->
                    add(r.getLog().getRef(), agentId, agentHost, nowMs, w -> w.add(facts.logLine(index), nowMs));
                case PROCESS ->
                    add(r.getProcess().getRef(), agentId, agentHost, nowMs, w -> w.add(r.getProcess(), nowMs));
                case HOST -> {
                    String h = r.getHost().getHost().isEmpty()
                            ? agentHost
                            : r.getHost().getHost();
                    hosts.merge(h, r.getHost(), (a, b) -> b.getTsMs() >= a.getTsMs() ? b : a);
                }
                default -> {}
            }
        }
    }

    private void add(
            InstanceRef ref,
            String agentId,
            String agentHost,
            long nowMs,
            java.util.function.Consumer<InstanceWindow> put) {
        InstanceWindow w = window(ref, agentId, agentHost, nowMs);
        if (w != null) put.accept(w);
    }

    private InstanceWindow window(InstanceRef ref, String agentId, String agentHost, long nowMs) {
        String host = ref.getHost().isEmpty() ? agentHost : ref.getHost();
        InstanceWindow w = instances.get(ref.getInstance());
        if (w == null) {
            AtomicInteger count = perAgent.computeIfAbsent(agentId, k -> new AtomicInteger());
            if (count.get() >= MAX_INSTANCES_PER_AGENT) {
                warnOnce(
                        "agent " + agentId,
                        nowMs,
                        "agent " + agentId + " sends more than " + MAX_INSTANCES_PER_AGENT
                                + " instances; instance " + ref.getInstance()
                                + " and further ones are stored but not diagnosed live."
                                + " Check the agent's redis[] list, or split it over several agents");
                return null;
            }
            if (instances.size() >= maxInstances) {
                warnOnce(
                        "collector full",
                        nowMs,
                        "this collector already diagnoses " + maxInstances + " instances; " + ref.getInstance()
                                + " is stored but not diagnosed live. Add a collector behind the load balancer");
                return null;
            }
            w = instances.computeIfAbsent(ref.getInstance(), i -> {
                count.incrementAndGet();
                return new InstanceWindow(i, agentId, host, window, nowMs);
            });
        }
        w.host(host);
        return w;
    }

    /** Evaluates every filled instance with new data whose last evaluation is old enough; returns how many. */
    public int evaluateDue(long nowMs) {
        int n = 0;
        for (Iterator<InstanceWindow> it = instances.values().iterator(); it.hasNext(); ) {
            InstanceWindow w = it.next();
            if (nowMs - w.lastDataMs() > 2 * window.toMillis()) {
                it.remove();
                forget(w);
                continue;
            }
            if (w.changedMs() == 0 || !w.preloaded() || !w.ready(nowMs, CONFIG_WAIT_MS)) continue;
            long last = lastEvaluatedMs.getOrDefault(w.instance(), 0L);
            // Telling log lines (a failed fork, a dropped replica) are judged within a second, so the
            // page leaves in seconds; INFO, PING and routine lines wait for the usual spacing.
            long spacing = w.hasNewLogs() ? Math.min(minSpacingMs, LOG_SPACING_MS) : minSpacingMs;
            if (nowMs - last < spacing) continue;
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
        // A host whose agent went away (or that a forged batch named) must not stay forever either.
        hosts.values().removeIf(h -> nowMs - h.getTsMs() > 2 * window.toMillis());
        return n;
    }

    private void forget(InstanceWindow w) {
        lastEvaluatedMs.remove(w.instance());
        AtomicInteger count = perAgent.get(w.agentId());
        if (count != null) count.decrementAndGet();
    }

    /**
     * Fills the windows this collector has not filled yet from the database, {@link #REFILL_BATCH}
     * at a time; returns how many were filled. When PostgreSQL cannot be read they wait (judging
     * them without their past could resolve alerts that still hold) and the next call tries again.
     */
    public int refillDue(long nowMs) {
        List<InstanceWindow> pending = new ArrayList<>();
        for (InstanceWindow w : instances.values()) {
            if (!w.preloaded()) pending.add(w);
        }
        int filled = 0;
        for (int from = 0; from < pending.size(); from += REFILL_BATCH) {
            List<InstanceWindow> group = pending.subList(from, Math.min(pending.size(), from + REFILL_BATCH));
            List<RecentRecordsReader.Wanted> wanted = group.stream()
                    .map(w -> new RecentRecordsReader.Wanted(w.instance(), w.host()))
                    .toList();
            RecentRecordsReader.Bounds bounds = new RecentRecordsReader.Bounds(
                    nowMs - window.toMillis(),
                    nowMs - InstanceWindow.FULL_RATE_MS,
                    InstanceWindow.LOGS_PER_KIND,
                    InstanceWindow.ROUTINE_LOGS,
                    InstanceWindow.OTHER_LOGS,
                    InstanceWindow.MAX_PINGS);
            Map<String, RecentRecords> past;
            try {
                // Outside the windows' locks: ingest keeps adding to them while the database answers.
                past = history.load(wanted, bounds);
            } catch (RuntimeException e) {
                warnOnce(
                        "refill",
                        nowMs,
                        "diagnosis of " + pending.size() + " instance(s) waits for their history: " + e.getMessage()
                                + "; it resumes by itself once PostgreSQL answers (check /health)");
                return filled;
            }
            for (InstanceWindow w : group) {
                RecentRecords p = past.getOrDefault(w.instance(), RecentRecords.NONE);
                w.preload(p, nowMs);
                if (p.host() != null) hosts.merge(w.host(), p.host(), (a, b) -> b.getTsMs() >= a.getTsMs() ? b : a);
                filled++;
            }
        }
        if (filled > 0) LOG.fine("filled " + filled + " window(s) from PostgreSQL");
        return filled;
    }

    /** Windows held now. */
    /** Hosts whose latest facts are held, for the instances on them. */
    public int hostsKnown() {
        return hosts.size();
    }

    public int watched() {
        return instances.size();
    }

    /** Windows waiting for their history from the database. */
    public int waitingForRefill() {
        int n = 0;
        for (InstanceWindow w : instances.values()) {
            if (!w.preloaded()) n++;
        }
        return n;
    }

    private void warnOnce(String key, long nowMs, String message) {
        Long last = warned.get(key);
        if (last != null && nowMs - last < WARNING_SPACING_MS) return;
        if (warned.size() > 10_000) warned.clear();
        warned.put(key, nowMs);
        LOG.warning(message);
    }
}
