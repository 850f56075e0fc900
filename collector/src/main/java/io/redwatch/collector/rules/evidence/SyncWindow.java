package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.LogText;
import io.redwatch.collector.rules.view.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The measurements behind replication advice. Write rate W = Δ master_repl_offset / Δt (from the
 * master's INFO history, else from replication offsets the log names); sync window T = bgsave +
 * transfer + load seconds, each the longest one observed (INFO rdb_last_bgsave_time_sec, or the
 * log's timestamps on either side). The replica's output buffer and the backlog must hold W × T.
 */
public final class SyncWindow {
    OptionalDouble writeRate = OptionalDouble.empty();
    String writeRateHow = "";
    private OptionalDouble bgsaveSec = OptionalDouble.empty();
    String bgsaveHow = "";
    private OptionalDouble transferSec = OptionalDouble.empty();
    String transferHow = "";
    OptionalDouble loadSec = OptionalDouble.empty();
    String loadHow = "";
    private OptionalLong omemPeak = OptionalLong.empty();
    private Setting backlog;
    Setting outputLimit;
    /** "slave" before Redis 5, "replica" from 5 on; old wording in the log means an old server. */
    String replicaClass = "replica";

    public static SyncWindow of(InstanceView h) {
        SyncWindow w = new SyncWindow();
        w.measureWriteRate(h);
        w.measureDurations(h);
        for (LogLine l : h.logs(LogKind.OUTPUT_BUFFER_LIMIT_KILL)) {
            if (!isReplicaClient(l)) continue;
            OptionalLong omem = LogText.number(LogText.clientField(l.text(), "omem"));
            if (omem.isPresent() && (w.omemPeak.isEmpty() || omem.getAsLong() > w.omemPeak.getAsLong()))
                w.omemPeak = omem;
        }
        w.backlog = h.setting("repl-backlog-size");
        w.outputLimit = h.setting("client-output-buffer-limit");
        boolean old = h.version()
                .map(v -> !v.atLeast(5, 0, 0))
                .orElse(h.logs().stream()
                        .anyMatch(
                                l -> l.text().contains("with slave") || l.text().contains("MASTER <-> SLAVE")));
        w.replicaClass = old ? "slave" : "replica";
        return w;
    }

    /** The longest BGSAVE seen, in seconds, if any. */
    public OptionalDouble bgsaveSec() {
        return bgsaveSec;
    }

    /** The longest transfer to a replica seen, in seconds, if any. */
    public OptionalDouble transferSec() {
        return transferSec;
    }

    /** The highest replica output buffer the log reported when it closed a replica, if any. */
    public OptionalLong omemPeak() {
        return omemPeak;
    }

    /** repl-backlog-size and where it came from. */
    public Setting backlog() {
        return backlog;
    }

    public static boolean isReplicaClient(LogLine l) {
        return LogText.clientField(l.text(), "flags").map(f -> f.contains("S")).orElse(false);
    }

    OptionalDouble windowSec() {
        if (bgsaveSec.isEmpty() && transferSec.isEmpty() && loadSec.isEmpty()) return OptionalDouble.empty();
        return OptionalDouble.of(bgsaveSec.orElse(0) + transferSec.orElse(0) + loadSec.orElse(0));
    }

    /** W × T in bytes, when both are known. */
    public OptionalDouble neededBytes() {
        if (writeRate.isEmpty() || windowSec().isEmpty()) return OptionalDouble.empty();
        return OptionalDouble.of(writeRate.getAsDouble() * windowSec().getAsDouble());
    }

    public long backlogBytes() {
        long b = ByteSize.parse(backlog.value());
        return b < 0 ? 1L << 20 : b;
    }

    /** The replica class hard limit, soft limit and soft seconds of client-output-buffer-limit. */
    long[] replicaLimit() {
        String[] words = outputLimit.value().trim().split("\\s+");
        for (int i = 0; i + 3 < words.length; i++) {
            if (words[i].equalsIgnoreCase("slave") || words[i].equalsIgnoreCase("replica")) {
                return new long[] {
                    ByteSize.parse(words[i + 1]), ByteSize.parse(words[i + 2]), ByteSize.parse(words[i + 3])
                };
            }
        }
        return new long[] {256L << 20, 64L << 20, 60};
    }

    public String replicaLimitText() {
        long[] l = replicaLimit();
        return replicaClass + " " + ByteSize.config(l[0]) + " " + ByteSize.config(l[1]) + " " + l[2]
                + (outputLimit.assumed()
                        ? " (not known: assumed, Redis's default)"
                        : " (" + outputLimit.source() + ")");
    }

    long recommendedBacklog(double headroom) {
        double need = neededBytes().orElse(0) * headroom;
        return Math.max(ByteSize.roundUpConfig(need), ByteSize.roundUpConfig(backlogBytes() * 2.0));
    }

    /** hard, soft, seconds: above the observed omem peak and W × T, with headroom; soft seconds beyond T. */
    long[] recommendedLimit(double headroom) {
        long[] current = replicaLimit();
        double need = Math.max(omemPeak.orElse(0), neededBytes().orElse(0)) * headroom;
        long hard = Math.max(ByteSize.roundUpConfig(need), ByteSize.roundUpConfig(current[0] * 2.0));
        long soft = hard / 2;
        long seconds = Math.max(current[2], (long) (Math.ceil(windowSec().orElse(60) * headroom / 60.0) * 60));
        return new long[] {hard, soft, seconds};
    }

    public String limitCommand(double headroom) {
        long[] r = recommendedLimit(headroom);
        String value = replicaClass + " " + ByteSize.config(r[0]) + " " + ByteSize.config(r[1]) + " " + r[2];
        return "`redis-cli CONFIG SET client-output-buffer-limit \"" + value + "\"` and `client-output-buffer-limit "
                + value + "` in redis.conf";
    }

    public String backlogCommand(double headroom) {
        String v = ByteSize.config(recommendedBacklog(headroom));
        return "`redis-cli CONFIG SET repl-backlog-size " + v + "` and `repl-backlog-size " + v + "` in redis.conf";
    }

    /** The numbers, each with where it came from. */
    public List<String> evidence() {
        List<String> out = new ArrayList<>();
        writeRate.ifPresent(r -> out.add(
                String.format(Locale.ROOT, "write rate W = %s/s (%s)", ByteSize.human((long) r), writeRateHow)));
        bgsaveSec.ifPresent(s -> out.add(String.format(Locale.ROOT, "bgsave %.1f s (%s)", s, bgsaveHow)));
        transferSec.ifPresent(s -> out.add(String.format(Locale.ROOT, "transfer %.1f s (%s)", s, transferHow)));
        if (loadSec.isPresent()) {
            out.add(String.format(Locale.ROOT, "load %.1f s (%s)", loadSec.getAsDouble(), loadHow));
        } else if (windowSec().isPresent()) {
            out.add("load time not in the data (the replica's log shows it); T leaves it out");
        }
        windowSec().ifPresent(s -> out.add(String.format(Locale.ROOT, "sync window T = %.1f s", s)));
        neededBytes()
                .ifPresent(n -> out.add("W × T = " + ByteSize.human((long) n)
                        + " must fit in the backlog and the replica's output buffer"));
        omemPeak.ifPresent(
                o -> out.add("replica output buffer peak omem = " + ByteSize.human(o) + " (" + o + " bytes)"));
        out.add(backlog.evidence());
        out.add("client-output-buffer-limit " + replicaLimitText());
        return out;
    }

    private void measureWriteRate(InstanceView h) {
        InfoView first = null;
        InfoView last = null;
        for (InfoView i : h.infos()) {
            if (i.pasted()
                    || !"master".equals(i.get("role").orElse(""))
                    || i.number("master_repl_offset").isEmpty()) continue;
            if (first == null) first = i;
            last = i;
        }
        if (first != null && last.tsMs() - first.tsMs() >= 10_000) {
            double d = last.number("master_repl_offset").getAsLong()
                    - first.number("master_repl_offset").getAsLong();
            if (d >= 0) {
                writeRate = OptionalDouble.of(d * 1000.0 / (last.tsMs() - first.tsMs()));
                writeRateHow = "Δmaster_repl_offset over " + (last.tsMs() - first.tsMs()) / 1000 + " s of INFO";
                return;
            }
        }
        // The master's offset when it answered a full resync (replica side), else the replica's offset when it asked.
        if (rateFrom(h, LogText::fullResyncOffset, "master offsets of \"Full resync from master\" in the log")) return;
        rateFrom(h, LogText::requestedOffset, "replica offsets of \"request was: N\" in the log (approximate)");
    }

    private boolean rateFrom(InstanceView h, java.util.function.Function<String, OptionalLong> offset, String how) {
        LogLine first = null;
        LogLine last = null;
        long firstOff = 0;
        long lastOff = 0;
        String runId = null;
        for (LogLine l : h.logs()) {
            if (!l.timed()) continue;
            OptionalLong off = offset.apply(l.text());
            if (off.isEmpty() || off.getAsLong() <= 1) continue; // offset 1: a fresh master, no writes yet
            Optional<String> id = LogText.fullResyncRunId(l.text());
            if (id.isPresent()) {
                if (runId != null && !runId.equals(id.get())) {
                    first = null; // a new master history: offsets restart
                }
                runId = id.get();
            }
            if (first == null) {
                first = l;
                firstOff = off.getAsLong();
            }
            last = l;
            lastOff = off.getAsLong();
        }
        if (first == null || last.tsMs() - first.tsMs() < 1000 || lastOff <= firstOff) return false;
        writeRate = OptionalDouble.of((lastOff - firstOff) * 1000.0 / (last.tsMs() - first.tsMs()));
        writeRateHow = how + ", " + h.clock(first.tsMs()) + "–" + h.clock(last.tsMs());
        return true;
    }

    private void measureDurations(InstanceView h) {
        OptionalLong infoBgsave = h.infoNumber("rdb_last_bgsave_time_sec");
        if (infoBgsave.isPresent() && infoBgsave.getAsLong() > 0) {
            bgsaveSec = OptionalDouble.of(infoBgsave.getAsLong());
            bgsaveHow = "INFO rdb_last_bgsave_time_sec";
        }
        double bg = 0;
        double tr = 0;
        double ld = 0;
        LogLine syncStart = null; // master: Starting BGSAVE for SYNC
        LogLine bgsaveDone = null; // master: Background saving terminated
        LogLine fullResync = null; // replica: Full resync from master
        LogLine receiving = null; // replica: receiving N bytes
        LogLine flushing = null; // replica: Flushing old data
        for (LogLine l : h.logs()) {
            if (!l.timed()) continue;
            String text = l.text();
            if (l.is(LogKind.FULL_RESYNC) && text.contains("Starting BGSAVE for SYNC")) {
                syncStart = l;
            } else if ((l.is(LogKind.BGSAVE_OK) || l.is(LogKind.BGSAVE_ERROR)) && syncStart != null) {
                bg = Math.max(bg, seconds(syncStart, l));
                bgsaveDone = l;
                syncStart = null;
            } else if (l.is(LogKind.REPLICA_SYNC_SENT) && bgsaveDone != null) {
                tr = Math.max(tr, seconds(bgsaveDone, l));
                bgsaveDone = null;
            } else if (l.is(LogKind.FULL_RESYNC) && text.contains("Full resync from master")) {
                fullResync = l;
            } else if (l.is(LogKind.SYNC_LOADING) && text.contains("sync: receiving")) {
                if (fullResync != null) bg = Math.max(bg, seconds(fullResync, l));
                receiving = l;
                fullResync = null;
            } else if (l.is(LogKind.SYNC_LOADING) && text.contains("Flushing old data")) {
                if (receiving != null) tr = Math.max(tr, seconds(receiving, l));
                flushing = l;
                receiving = null;
            } else if (l.is(LogKind.SYNC_FINISHED) && flushing != null) {
                ld = Math.max(ld, seconds(flushing, l));
                flushing = null;
            }
        }
        if (bg > 0 && bgsaveSec.isEmpty()) {
            bgsaveSec = OptionalDouble.of(bg);
            bgsaveHow = "longest BGSAVE for SYNC in the log";
        }
        if (tr > 0) {
            transferSec = OptionalDouble.of(tr);
            transferHow =
                    "longest in the log: master, end of BGSAVE → replica synchronized; replica, receiving → flushing";
        }
        if (ld > 0) {
            loadSec = OptionalDouble.of(ld);
            loadHow = "longest flush + load on the replica in the log";
        }
    }

    private static double seconds(LogLine from, LogLine to) {
        return (to.tsMs() - from.tsMs()) / 1000.0;
    }
}
