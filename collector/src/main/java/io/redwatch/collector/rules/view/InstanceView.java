package io.redwatch.collector.rules.view;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.TypedInfo;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The recent records of one Redis instance and its host, and the moment they are judged at.
 *
 * <p>Bounded: INFO samples, PINGs and process facts of the last {@link Builder#window} before now
 * (later ones are kept: pasted INFO carries the time it was pasted), the newest
 * {@link Builder#maxLogEvents} log events, and the newest CONFIG and host facts. "Now" is explicit:
 * online the clock, offline ({@link Builder#buildAtNewestFact()}) the newest log timestamp, so the
 * windows of the rules follow the log's own time.
 */
public final class InstanceView {
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter DAY_CLOCK = DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ROOT);

    private final String instance;
    private final String host;
    private final long nowMs;
    private final ZoneId zone;
    private final boolean currentOnly;
    private final List<InfoView> infos;
    private final List<PingResult> pings;
    private final List<ProcessFacts> processes;
    private final List<LogLine> logs;
    /** The lines of each kind, oldest first: rules ask for kinds dozens of times per evaluation. */
    private final Map<LogKind, List<LogLine>> byKind = new EnumMap<>(LogKind.class);

    private final ConfigSnapshot config;
    private final Map<String, String> configValues = new HashMap<>();
    private final HostFacts hostFacts;
    private final Optional<RedisVersion> version;

    private InstanceView(Builder b, long nowMs) {
        this.instance = b.instance;
        this.host = b.host;
        this.nowMs = nowMs;
        this.zone = b.zone;
        this.currentOnly = b.currentOnly;
        long from = nowMs - b.window.toMillis();
        this.infos = b.infos.stream()
                .filter(i -> i.tsMs() >= from)
                .sorted(Comparator.comparingLong(TypedInfo::tsMs))
                .map(InfoView::new)
                .toList();
        this.pings = b.pings.stream()
                .filter(p -> p.getTsMs() >= from)
                .sorted(Comparator.comparingLong(PingResult::getTsMs))
                .toList();
        this.processes = b.processes.stream()
                .filter(p -> p.getTsMs() >= from)
                .sorted(Comparator.comparingLong(ProcessFacts::getTsMs))
                .toList();
        List<LogLine> sorted = new ArrayList<>(b.logs);
        sorted.sort(Comparator.comparingLong(LogLine::tsMs)); // stable: pasted order kept within one timestamp
        sorted = withoutRepeats(sorted);
        int skip = Math.max(0, sorted.size() - b.maxLogEvents);
        this.logs = List.copyOf(sorted.subList(skip, sorted.size()));
        for (LogLine l : logs)
            byKind.computeIfAbsent(l.kind(), k -> new ArrayList<>()).add(l);
        this.config = b.config;
        if (config != null) {
            for (ConfigValue v : config.getValuesList()) configValues.put(v.getKey(), v.getValue());
        }
        this.hostFacts = b.hostFacts;
        this.version = findVersion();
    }

    public static Builder builder(String instance, String host) {
        return new Builder(instance, host);
    }

    public String instance() {
        return instance;
    }

    public String host() {
        return host;
    }

    public long nowMs() {
        return nowMs;
    }

    /**
     * True when only what holds now is reported (live paging: a fixed problem must resolve); false
     * for a post-mortem ({@code doctor}), where a failure that recovered is still worth a warning.
     */
    public boolean currentOnly() {
        return currentOnly;
    }

    public ZoneId zone() {
        return zone;
    }

    public List<InfoView> infos() {
        return infos;
    }

    public Optional<InfoView> latestInfo() {
        for (int i = infos.size() - 1; i >= 0; i--) {
            if (!infos.get(i).failed()) return Optional.of(infos.get(i));
        }
        return Optional.empty();
    }

    /** The newest INFO sample holding this field (pasted INFO often comes in pieces). */
    public Optional<InfoView> infoWith(String key) {
        for (int i = infos.size() - 1; i >= 0; i--) {
            if (infos.get(i).has(key)) return Optional.of(infos.get(i));
        }
        return Optional.empty();
    }

    public Optional<String> info(String key) {
        return infoWith(key).flatMap(v -> v.get(key));
    }

    public OptionalLong infoNumber(String key) {
        Optional<InfoView> v = infoWith(key);
        return v.isPresent() ? v.get().number(key) : OptionalLong.empty();
    }

    public List<PingResult> pings() {
        return pings;
    }

    public Optional<PingResult> latestPing() {
        return pings.isEmpty() ? Optional.empty() : Optional.of(pings.get(pings.size() - 1));
    }

    public List<ProcessFacts> processes() {
        return processes;
    }

    public Optional<ProcessFacts> latestProcess() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            if (processes.get(i).getError().isEmpty()) return Optional.of(processes.get(i));
        }
        return Optional.empty();
    }

    /** Log lines, oldest first. */
    public List<LogLine> logs() {
        return logs;
    }

    /**
     * Events of one kind that count now: all of them in a post-mortem; in live paging only those of
     * the trailing {@code windowMs}, so an incident that ended resolves once the window passes quietly.
     */
    public List<LogLine> recentLogs(LogKind kind, long windowMs) {
        List<LogLine> all = logs(kind);
        if (!currentOnly) return all;
        long from = nowMs - windowMs;
        return all.stream().filter(l -> l.tsMs() >= from).toList();
    }

    public List<LogLine> logs(LogKind kind) {
        List<LogLine> of = byKind.get(kind);
        return of == null ? List.of() : Collections.unmodifiableList(of);
    }

    public boolean hasLog(LogKind kind) {
        return byKind.containsKey(kind);
    }

    public Optional<HostFacts> hostFacts() {
        return Optional.ofNullable(hostFacts);
    }

    public Optional<String> config(String key) {
        return Optional.ofNullable(configValues.get(key));
    }

    /** The Redis version from INFO, else from the start-up line of the log. */
    public Optional<RedisVersion> version() {
        return version;
    }

    /**
     * A setting from CONFIG, else from its INFO field, else Redis's default for the version. The
     * result says which, so evidence can state that a value was assumed.
     */
    public Setting setting(String key) {
        String v = configValues.get(key);
        if (v != null) return new Setting(key, v, Setting.CONFIG);
        Optional<String> fromInfo = switch (key) {
            case "maxmemory" -> info("maxmemory");
            case "maxmemory-policy" -> info("maxmemory_policy");
            case "maxclients" -> info("maxclients");
            case "repl-backlog-size" -> info("repl_backlog_size");
            case "appendonly" -> info("aof_enabled").map(a -> "1".equals(a.trim()) ? "yes" : "no");
            default -> Optional.empty();
        };
        if (fromInfo.isPresent()) return new Setting(key, fromInfo.get(), Setting.INFO);
        return new Setting(key, RedisDefaults.of(key, version).orElse(""), Setting.DEFAULT);
    }

    /** Whether this instance persists at all (RDB save points or AOF); unknown settings count as Redis's defaults. */
    public boolean persistenceOn() {
        return !setting("save").value().isBlank() || setting("appendonly").yes();
    }

    /** "2026-09-14 15:56:27.067" in the history's zone. */
    public String time(long tsMs) {
        return ZonedDateTime.ofInstant(Instant.ofEpochMilli(tsMs), zone).format(FULL);
    }

    /** "15:56" when on the day of now, else "14 Sep 15:56": short enough for a phone. */
    public String clock(long tsMs) {
        ZonedDateTime t = ZonedDateTime.ofInstant(Instant.ofEpochMilli(tsMs), zone);
        ZonedDateTime now = ZonedDateTime.ofInstant(Instant.ofEpochMilli(nowMs), zone);
        return t.toLocalDate().equals(now.toLocalDate()) ? t.format(CLOCK) : t.format(DAY_CLOCK);
    }

    /** One evidence line for a log line: its time (or "time unknown") and its text. */
    public String evidence(LogLine l) {
        return (l.timed() ? time(l.tsMs()) : "(time unknown)") + " log: " + l.text();
    }

    /** The first and the newest lines of a kind, and how many there were in between, for evidence. */
    public List<String> evidence(List<LogLine> lines, int max) {
        List<String> out = new ArrayList<>();
        if (lines.size() <= max) {
            for (LogLine l : lines) out.add(evidence(l));
            return out;
        }
        int head = Math.max(1, max / 2);
        int tail = max - head;
        for (int i = 0; i < head; i++) out.add(evidence(lines.get(i)));
        out.add("... " + (lines.size() - head - tail) + " more like these ...");
        for (int i = lines.size() - tail; i < lines.size(); i++) out.add(evidence(lines.get(i)));
        return out;
    }

    /**
     * Post-mortems quote the same log lines twice (once in full, once to point at them); one event
     * with its own timestamp, pid and text is counted once.
     */
    private static List<LogLine> withoutRepeats(List<LogLine> sorted) {
        List<LogLine> out = new ArrayList<>(sorted.size());
        java.util.Set<LogLine> seen = new java.util.HashSet<>();
        for (LogLine l : sorted) {
            if (l.timed() && !seen.add(l)) continue;
            out.add(l);
        }
        return out;
    }

    private Optional<RedisVersion> findVersion() {
        Optional<String> v = info("redis_version");
        if (v.isPresent()) return RedisVersion.parse(v.get());
        for (int i = logs.size() - 1; i >= 0; i--) {
            LogLine l = logs.get(i);
            if (l.kind() == LogKind.SERVER_STARTED) {
                String t = l.text();
                int at = t.indexOf("version");
                if (at >= 0) {
                    String rest = t.substring(at + "version".length())
                            .replace("=", " ")
                            .trim();
                    int end = rest.indexOf(',');
                    Optional<RedisVersion> parsed = RedisVersion.parse(end < 0 ? rest : rest.substring(0, end));
                    if (parsed.isPresent()) return parsed;
                }
            }
        }
        return Optional.empty();
    }

    /** Collects records of one instance; records of other instances are the caller's business. */
    public static final class Builder {
        private final String instance;
        private final String host;
        private ZoneId zone = ZoneId.systemDefault();
        private Duration window = Duration.ofHours(1);
        private int maxLogEvents = 10_000;
        private boolean currentOnly;
        private final List<TypedInfo> infos = new ArrayList<>();
        private final List<PingResult> pings = new ArrayList<>();
        private final List<ProcessFacts> processes = new ArrayList<>();
        private final List<LogLine> logs = new ArrayList<>();
        private ConfigSnapshot config;
        private HostFacts hostFacts;

        private Builder(String instance, String host) {
            this.instance = instance;
            this.host = host;
        }

        /** The zone times are shown in (the zone the log timestamps were read in). */
        public Builder zone(ZoneId z) {
            this.zone = z;
            return this;
        }

        /** How far back INFO, PING and process facts are kept (default one hour). */
        public Builder window(Duration w) {
            this.window = w;
            return this;
        }

        /** Report only problems that hold now (see {@link InstanceView#currentOnly()}); default false. */
        public Builder currentOnly(boolean b) {
            this.currentOnly = b;
            return this;
        }

        /** How many of the newest log events are kept (default 10,000). */
        public Builder maxLogEvents(int n) {
            this.maxLogEvents = n;
            return this;
        }

        /** Adds one record; host facts are not added here (see {@link #host}): which host an instance runs on is the caller's knowledge. */
        public Builder add(Record r) {
            switch (r.getKindCase()) {
                case INFO -> info(r.getInfo());
                case PING -> pings.add(r.getPing());
                case CONFIG -> config(r.getConfig());
                case LOG -> log(r.getLog());
                case PROCESS -> processes.add(r.getProcess());
                case HOST -> host(r.getHost());
                default -> {}
            }
            return this;
        }

        public Builder info(InfoSample s) {
            infos.add(TypedInfo.of(s));
            return this;
        }

        public Builder info(TypedInfo s) {
            infos.add(s);
            return this;
        }

        public Builder ping(PingResult p) {
            pings.add(p);
            return this;
        }

        public Builder process(ProcessFacts p) {
            processes.add(p);
            return this;
        }

        /** Adds a log event, classifying it: callers that already know its kind add a {@link LogLine}. */
        public Builder log(LogEvent e) {
            logs.add(LogLine.of(e));
            return this;
        }

        public Builder log(LogLine l) {
            logs.add(l);
            return this;
        }

        public Builder config(ConfigSnapshot c) {
            if (config == null || c.getTsMs() >= config.getTsMs()) config = c;
            return this;
        }

        public Builder host(HostFacts h) {
            if (hostFacts == null || h.getTsMs() >= hostFacts.getTsMs()) hostFacts = h;
            return this;
        }

        public boolean isEmpty() {
            return infos.isEmpty() && pings.isEmpty() && processes.isEmpty() && logs.isEmpty() && config == null;
        }

        /** Judged at the given moment (online: the clock). */
        public InstanceView build(long nowMs) {
            return new InstanceView(this, nowMs);
        }

        /**
         * Judged at the newest fact (offline): the newest log timestamp when the log has any, else the
         * newest time of any other record. Pasted INFO does not count: its time is when it was pasted.
         */
        public InstanceView buildAtNewestFact() {
            long newest = logs.stream()
                    .filter(LogLine::timed)
                    .mapToLong(LogLine::tsMs)
                    .max()
                    .orElse(Long.MIN_VALUE);
            if (newest == Long.MIN_VALUE) {
                newest = Math.max(
                        newest,
                        infos.stream()
                                .filter(i -> !i.pasted())
                                .mapToLong(TypedInfo::tsMs)
                                .max()
                                .orElse(Long.MIN_VALUE));
                newest = Math.max(
                        newest,
                        pings.stream().mapToLong(PingResult::getTsMs).max().orElse(Long.MIN_VALUE));
                newest = Math.max(
                        newest,
                        processes.stream()
                                .mapToLong(ProcessFacts::getTsMs)
                                .max()
                                .orElse(Long.MIN_VALUE));
                if (config != null) newest = Math.max(newest, config.getTsMs());
                if (hostFacts != null) newest = Math.max(newest, hostFacts.getTsMs());
            }
            if (newest == Long.MIN_VALUE) {
                newest = infos.stream().mapToLong(TypedInfo::tsMs).max().orElse(0);
            }
            return new InstanceView(this, newest);
        }
    }

    /**
     * Live judgement never rests on assumed settings: until the first CONFIG arrives (an agent pointed
     * at a port where nothing answers never gets one) rules that need a setting stay silent live.
     */
    public boolean liveWithoutConfig() {
        return currentOnly && config == null;
    }
}
