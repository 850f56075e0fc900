package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.HostFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * bgsave_slow: a BGSAVE took (or has been running) longer than {@code bgsaveSlow} (INFO, or the
 * log's "Background saving started" → "terminated" of the same server), or the host's iowait is at
 * {@code bgsaveIowaitPct} or more while one runs.
 */
final class BgsaveSlow implements Rule {
    @Override
    public String id() {
        return "bgsave_slow";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        long limit = t.bgsaveSlow().toSeconds();
        List<String> evidence = new ArrayList<>();
        long worst = -1;
        long ts = 0;
        Optional<InfoView> info = h.infoWith("rdb_last_bgsave_time_sec");
        if (info.isPresent()) {
            InfoView i = info.get();
            OptionalLong last = i.number("rdb_last_bgsave_time_sec");
            OptionalLong current = "1".equals(i.get("rdb_bgsave_in_progress").orElse(""))
                    ? i.number("rdb_current_bgsave_time_sec")
                    : OptionalLong.empty();
            long m = Math.max(last.orElse(-1), current.orElse(-1));
            if (m >= limit) {
                evidence.add((i.pasted() ? "INFO (pasted)" : h.time(i.tsMs()) + " INFO") + ": rdb_last_bgsave_time_sec:"
                        + last.orElse(-1)
                        + current.stream()
                                .mapToObj(c -> " rdb_current_bgsave_time_sec:" + c)
                                .findFirst()
                                .orElse(""));
                worst = m;
                ts = i.tsMs();
            }
        }
        LogLine started = null;
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.BGSAVE_STARTED) && l.text().contains("Background saving started")) {
                started = l;
            } else if ((l.is(LogKind.BGSAVE_OK) || l.is(LogKind.BGSAVE_ERROR))
                    && started != null
                    && l.pid() == started.pid()
                    && endsBackgroundSave(l)) {
                long sec = (l.tsMs() - started.tsMs()) / 1000;
                if (sec >= limit) {
                    if (sec > worst) worst = sec;
                    evidence.add(h.evidence(started));
                    evidence.add(h.evidence(l) + "   (" + sec + " s)");
                    ts = Math.max(ts, l.tsMs());
                }
                started = null;
            }
        }
        Optional<HostFacts> host = h.hostFacts();
        boolean busy = host.isPresent()
                && host.get().getIowaitPct() >= t.bgsaveIowaitPct()
                && h.latestInfo()
                        .flatMap(i -> i.get("rdb_bgsave_in_progress"))
                        .map("1"::equals)
                        .orElse(false);
        if (busy) {
            evidence.add(String.format(
                    Locale.ROOT,
                    "%s host %s: iowait %.0f%% while a BGSAVE runs",
                    h.time(host.get().getTsMs()),
                    host.get().getHost(),
                    host.get().getIowaitPct()));
            ts = Math.max(ts, host.get().getTsMs());
        }
        if (worst < limit && !busy) return Optional.empty();
        String summary = h.instance() + ": background saves are slow"
                + (worst >= limit ? " (" + worst + " s for one BGSAVE)" : "")
                + (busy
                        ? String.format(
                                Locale.ROOT,
                                "; iowait %.0f%% while saving",
                                host.get().getIowaitPct())
                        : "");
        String advice =
                "A slow BGSAVE widens the replication sync window and loads the disk. Put `dir` on a faster disk, save less often "
                        + "(`save` points), or persist on a replica only (`redis-cli CONFIG SET save \"\"` on the master); check iowait with `vmstat 1`.";
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, ts == 0 ? h.nowMs() : ts));
    }

    /**
     * The parent's own line for the end of its BGSAVE. The same pid also logs the errors of a foreground
     * SAVE (at shutdown, "Write error saving DB on disk"), which would pair a BGSAVE with a later save.
     */
    private static boolean endsBackgroundSave(LogLine l) {
        return l.text().contains("Background saving");
    }
}
