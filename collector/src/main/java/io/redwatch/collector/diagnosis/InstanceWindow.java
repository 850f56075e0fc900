package io.redwatch.collector.diagnosis;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.SharedText;
import io.redwatch.collector.facts.TypedInfo;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the rules need to remember of one instance, bounded by time and by count whatever the
 * instance (or a hostile agent) sends, and small: tens of kilobytes, not megabytes.
 *
 * <ul>
 *   <li>INFO: compact typed samples ({@link TypedInfo}) of the catalog's fields only, at full rate
 *       for the newest minutes and one a minute before; only the newest sample keeps the fields no
 *       rule reads over time ({@link io.redwatch.collector.facts.InfoField.Keep#LATEST}).</li>
 *   <li>Process facts: thinned the same way. PINGs: the newest {@link #MAX_PINGS}.</li>
 *   <li>Log lines, classified once at ingest, per kind, so a storm of one line cannot push out the
 *       three full resyncs that make a loop; lines no rule looks for ({@link LogKind#OTHER}) only a
 *       few.</li>
 * </ul>
 */
final class InstanceWindow {
    static final long FULL_RATE_MS = Duration.ofMinutes(5).toMillis();
    static final int MAX_FULL_RATE = 64;
    static final int MAX_THINNED = 64;
    static final int MAX_PINGS = 60;
    /**
     * Enough for every mechanism a rule reads in the log (three full resyncs and the steps of each
     * sync, the first and newest failures of a storm): a busy instance that saves every minute
     * logs 60 lines an hour of each save kind, and holding them all cost more than the rest of the
     * window. Counts in live evidence are then "N times since" the oldest line kept.
     */
    static final int LOGS_PER_KIND = 32;
    /** Lines of a {@link LogKind#routine()} kind: the newest few give the context rules read. */
    static final int ROUTINE_LOGS = 8;

    static final int OTHER_LOGS = 16;

    private final String instance;
    private final String agentId;
    private final long windowMs;
    private final ThinnedSeries<TypedInfo> infos;
    private final ThinnedSeries<ProcessFacts> processes;
    private final ArrayDeque<PingResult> pings = new ArrayDeque<>();
    private final Map<LogKind, ArrayDeque<LogLine>> logs = new EnumMap<>(LogKind.class);
    /** The newest INFO sample that was read, whole: rules read the current value of every field here. */
    private TypedInfo latestInfo;

    private ConfigSnapshot config;
    private String host;
    private long changedMs;
    private long lastDataMs;
    private boolean preloaded;
    /** Telling log lines arrived since the last evaluation: the first sign of most incidents, judged sooner. */
    private boolean newLogs;

    private final long firstSeenMs;

    InstanceWindow(String instance, String agentId, String host, Duration window, long nowMs) {
        this.instance = instance;
        this.agentId = agentId;
        this.host = host;
        this.windowMs = window.toMillis();
        this.firstSeenMs = nowMs;
        this.lastDataMs = nowMs;
        this.infos = new ThinnedSeries<>(
                TypedInfo::tsMs, TypedInfo::seriesOnly, windowMs, FULL_RATE_MS, MAX_FULL_RATE, MAX_THINNED);
        this.processes =
                new ThinnedSeries<>(ProcessFacts::getTsMs, p -> p, windowMs, FULL_RATE_MS, MAX_FULL_RATE, MAX_THINNED);
    }

    synchronized void add(TypedInfo s, long nowMs) {
        // Only the newest readable sample stays whole; the series holds every sample thinned.
        if (!s.failed() && (latestInfo == null || s.tsMs() >= latestInfo.tsMs())) latestInfo = s;
        infos.add(s.seriesOnly());
        touched(s.tsMs(), nowMs);
    }

    synchronized void add(PingResult p, long nowMs) {
        pings.addLast(
                p.toBuilder().clearRef().setReply(SharedText.of(p.getReply())).build());
        while (pings.size() > MAX_PINGS || p.getTsMs() - pings.peekFirst().getTsMs() > windowMs) pings.removeFirst();
        touched(p.getTsMs(), nowMs);
    }

    synchronized void add(ProcessFacts p, long nowMs) {
        processes.add(p.toBuilder()
                .clearRef()
                .setPidSource(SharedText.of(p.getPidSource()))
                .setError(SharedText.of(p.getError()))
                .build());
        touched(p.getTsMs(), nowMs);
    }

    synchronized void add(LogLine l, long nowMs) {
        ArrayDeque<LogLine> q = logs.computeIfAbsent(l.kind(), k -> new ArrayDeque<>());
        q.addLast(l.bounded());
        int max = max(l.kind());
        while (q.size() > max || nowMs - q.peekFirst().tsMs() > windowMs && q.size() > 1) q.removeFirst();
        newLogs |= l.kind().telling();
        touched(nowMs, nowMs);
    }

    static int max(LogKind kind) {
        return kind == LogKind.OTHER ? OTHER_LOGS : kind.routine() ? ROUTINE_LOGS : LOGS_PER_KIND;
    }

    synchronized void add(ConfigSnapshot c, long nowMs) {
        if (config == null || c.getTsMs() >= config.getTsMs())
            config = c.hasRef() ? c.toBuilder().clearRef().build() : c;
        touched(c.getTsMs(), nowMs);
    }

    /**
     * Puts what the database holds of this instance's past before what arrived live since this
     * collector first saw it. Stored samples newer than the first live one of their kind are the
     * live ones again and are skipped; repeated log lines are dropped when the rules' history is built.
     */
    synchronized void preload(RecentRecords past, long nowMs) {
        List<TypedInfo> liveInfos = new ArrayList<>();
        infos.forEach(liveInfos::add);
        long firstLiveInfo =
                liveInfos.isEmpty() ? Long.MAX_VALUE : liveInfos.get(0).tsMs();
        TypedInfo live = latestInfo;
        infos.clear();
        latestInfo = null;
        for (TypedInfo i : past.infos()) {
            if (i.tsMs() < firstLiveInfo) add(i, nowMs);
        }
        liveInfos.forEach(infos::add);
        if (live != null) latestInfo = live;

        List<ProcessFacts> liveProcesses = new ArrayList<>();
        processes.forEach(liveProcesses::add);
        long firstLiveProcess =
                liveProcesses.isEmpty() ? Long.MAX_VALUE : liveProcesses.get(0).getTsMs();
        processes.clear();
        for (ProcessFacts p : past.processes()) {
            if (p.getTsMs() < firstLiveProcess) processes.add(p);
        }
        liveProcesses.forEach(processes::add);

        List<PingResult> livePings = new ArrayList<>(pings);
        long firstLivePing =
                livePings.isEmpty() ? Long.MAX_VALUE : livePings.get(0).getTsMs();
        pings.clear();
        for (PingResult p : past.pings()) {
            if (p.getTsMs() < firstLivePing) add(p, nowMs);
        }
        livePings.forEach(p -> add(p, nowMs));

        List<LogLine> liveLogs = new ArrayList<>();
        logs.values().forEach(liveLogs::addAll);
        logs.clear();
        past.logs().forEach(l -> add(l, nowMs));
        liveLogs.forEach(l -> add(l, nowMs));

        if (past.config() != null) add(past.config(), nowMs);
        preloaded = true;
    }

    synchronized boolean preloaded() {
        return preloaded;
    }

    synchronized void host(String h) {
        if (h != null && !h.isEmpty()) host = h;
    }

    private void touched(long tsMs, long nowMs) {
        changedMs = Math.max(Math.max(changedMs, Math.min(tsMs, nowMs)), 1);
        lastDataMs = nowMs;
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

    /** When this collector last received anything for the instance (its clock). */
    synchronized long lastDataMs() {
        return lastDataMs;
    }

    String instance() {
        return instance;
    }

    String agentId() {
        return agentId;
    }

    synchronized String host() {
        return host;
    }

    /** A snapshot for the rules; samples and log lines older than the window are left out. */
    synchronized InstanceView history(HostFacts hostFacts, long nowMs) {
        InstanceView.Builder b = InstanceView.builder(instance, host)
                .window(Duration.ofMillis(windowMs))
                .currentOnly(true);
        TypedInfo latest = latestInfo;
        boolean[] latestShown = {latest == null};
        infos.forEach(i -> {
            boolean isLatest = !latestShown[0] && i.tsMs() == latest.tsMs() && !i.failed();
            latestShown[0] |= isLatest;
            b.info(isLatest ? latest : i);
        });
        if (!latestShown[0]) b.info(latest); // more failed samples came after it than the full-rate part holds
        pings.forEach(b::ping);
        processes.forEach(b::process);
        for (ArrayDeque<LogLine> q : logs.values()) {
            for (LogLine l : q) {
                if (nowMs - l.tsMs() <= windowMs) b.log(l);
            }
        }
        if (config != null) b.config(config);
        if (hostFacts != null) b.host(hostFacts);
        return b.build(nowMs);
    }
}
