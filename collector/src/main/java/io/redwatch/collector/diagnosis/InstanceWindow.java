package io.redwatch.collector.diagnosis;

import io.redwatch.collector.rules.InstanceHistory;
import io.redwatch.collector.facts.LogClassifier;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * What the rules need to remember of one instance, bounded whatever the instance does.
 *
 * <p>INFO is kept at full rate for the last few minutes and one sample a minute before that, with
 * only the sections rules read (a reply with commandstats and latencystats is ~15 KB; an hour of
 * them per instance would cost the collector megabytes per agent). Log events are kept per kind,
 * so a storm of one line cannot push out the three full resyncs that make a loop.
 */
final class InstanceWindow {
    static final Set<String> KEPT_SECTIONS = Set.of("", "Server", "Clients", "Memory", "Persistence", "Stats",
            "Replication", "CPU", "Errorstats");
    static final long FULL_RATE_MS = Duration.ofMinutes(5).toMillis();
    private static final long THINNED_SPACING_MS = Duration.ofMinutes(1).toMillis();
    static final int LOGS_PER_KIND = 200;

    private final String instance;
    private final long windowMs;
    private final ArrayDeque<InfoSample> infos = new ArrayDeque<>();
    private final ArrayDeque<PingResult> pings = new ArrayDeque<>();
    private final ArrayDeque<ProcessFacts> processes = new ArrayDeque<>();
    private final Map<LogKind, ArrayDeque<LogEvent>> logs = new EnumMap<>(LogKind.class);
    private ConfigSnapshot config;
    private String host;
    private long changedMs;
    private boolean preloaded;
    /** Log lines arrived since the last evaluation: the first sign of most incidents, judged sooner. */
    private boolean newLogs;
    private final long firstSeenMs = System.currentTimeMillis();

    InstanceWindow(String instance, String host, Duration window) {
        this.instance = instance;
        this.host = host;
        this.windowMs = window.toMillis();
    }

    synchronized void add(InfoSample s) {
        InfoSample.Builder slim = s.toBuilder().clearSections();
        for (InfoSection sec : s.getSectionsList()) {
            if (KEPT_SECTIONS.contains(sec.getName())) slim.addSections(sec);
        }
        infos.addLast(slim.build());
        thinInfos(s.getTsMs());
        touched(s.getTsMs());
    }

    /** Full rate for the newest minutes; older samples closer than a minute to the one before go. */
    private void thinInfos(long nowMs) {
        ArrayDeque<InfoSample> kept = new ArrayDeque<>(infos.size());
        long lastKept = Long.MIN_VALUE;
        for (InfoSample i : infos) {
            long age = nowMs - i.getTsMs();
            if (age > windowMs) continue;
            if (age > FULL_RATE_MS && i.getTsMs() - lastKept < THINNED_SPACING_MS) continue;
            kept.addLast(i);
            lastKept = i.getTsMs();
        }
        infos.clear();
        infos.addAll(kept);
    }

    synchronized void add(PingResult p) {
        pings.addLast(p);
        while (!pings.isEmpty() && p.getTsMs() - pings.peekFirst().getTsMs() > windowMs) pings.removeFirst();
        touched(p.getTsMs());
    }

    synchronized void add(ProcessFacts p) {
        processes.addLast(p);
        while (!processes.isEmpty() && p.getTsMs() - processes.peekFirst().getTsMs() > windowMs) processes.removeFirst();
        touched(p.getTsMs());
    }

    synchronized void add(LogEvent e) {
        ArrayDeque<LogEvent> q = logs.computeIfAbsent(LogClassifier.kind(e), k -> new ArrayDeque<>());
        q.addLast(e);
        if (q.size() > LOGS_PER_KIND) q.removeFirst();
        newLogs = true;
        touched(System.currentTimeMillis());
    }

    synchronized void add(ConfigSnapshot c) {
        if (config == null || c.getTsMs() >= config.getTsMs()) config = c;
        touched(c.getTsMs());
    }

    /**
     * Puts what the database holds of this instance's past before what arrived live since this
     * collector first saw it. Stored INFO, PINGs and process facts newer than the first live one of
     * their kind are the live ones again and are skipped; repeated log lines are dropped when the
     * rules' history is built.
     */
    synchronized void preload(RecentRecords past) {
        beforeLive(infos, past.infos(), InfoSample::getTsMs, this::add);
        beforeLive(pings, past.pings(), PingResult::getTsMs, this::add);
        beforeLive(processes, past.processes(), ProcessFacts::getTsMs, this::add);

        List<LogEvent> liveLogs = new ArrayList<>();
        logs.values().forEach(liveLogs::addAll);
        logs.clear();
        past.logs().forEach(this::add);
        liveLogs.forEach(this::add);

        if (past.config() != null) add(past.config());
        preloaded = true;
    }

    /** Re-adds {@code live} after the records of {@code past} that are older than its first one. */
    private static <T> void beforeLive(ArrayDeque<T> live, List<T> past, ToLongFunction<T> ts, Consumer<T> add) {
        List<T> kept = new ArrayList<>(live);
        long firstLive = kept.isEmpty() ? Long.MAX_VALUE : ts.applyAsLong(kept.get(0));
        live.clear();
        for (T t : past) {
            if (ts.applyAsLong(t) < firstLive) add.accept(t);
        }
        kept.forEach(add);
    }

    synchronized boolean preloaded() {
        return preloaded;
    }

    synchronized void host(String h) {
        if (h != null && !h.isEmpty()) host = h;
    }

    private void touched(long tsMs) {
        changedMs = Math.max(changedMs, Math.min(tsMs, System.currentTimeMillis()));
        changedMs = Math.max(changedMs, 1);
    }

    /**
     * Whether the rules may judge this instance: once its first CONFIG snapshot is here (the agent
     * sends one even when CONFIG is refused), so that settings are not assumed while they are merely
     * in flight — assuming the default {@code save} paged overcommit_disabled on caches with
     * persistence off. An agent that never sends one is judged after {@code maxWaitMs} anyway.
     */
    synchronized boolean ready(long nowMs, long maxWaitMs) {
        return config != null || nowMs - firstSeenMs >= maxWaitMs;
    }

    /** When data last arrived; 0 once it has been evaluated. */
    synchronized long changedMs() {
        return changedMs;
    }

    synchronized void evaluated() {
        changedMs = 0;
        newLogs = false;
    }

    synchronized boolean hasNewLogs() {
        return newLogs;
    }

    String instance() {
        return instance;
    }

    synchronized String host() {
        return host;
    }

    /** A snapshot for the rules; log events older than the window are left out. */
    synchronized InstanceHistory history(HostFacts hostFacts, long nowMs) {
        InstanceHistory.Builder b = InstanceHistory.builder(instance, host).window(Duration.ofMillis(windowMs)).currentOnly(true);
        infos.forEach(b::info);
        pings.forEach(b::ping);
        processes.forEach(b::process);
        for (ArrayDeque<LogEvent> q : logs.values()) {
            for (LogEvent e : q) {
                if (nowMs - e.getTsMs() <= windowMs) b.log(e);
            }
        }
        if (config != null) b.config(config);
        if (hostFacts != null) b.host(hostFacts);
        return b.build(nowMs);
    }
}
