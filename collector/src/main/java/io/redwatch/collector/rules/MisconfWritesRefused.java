package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.SaveHealth;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.Setting;
import io.redwatch.proto.v1.PingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * misconf_writes_refused: Redis refuses every write with MISCONF. Seen directly (a PING answered, or
 * a pasted client error), or implied: a background save failing while stop-writes-on-bgsave-error is
 * yes and save points are set (Redis checks both before refusing).
 */
final class MisconfWritesRefused implements Rule {
    @Override
    public String id() {
        return "misconf_writes_refused";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<String> evidence = new ArrayList<>();
        long ts = 0;
        for (PingResult p : h.pings()) {
            if (p.getReply().startsWith("MISCONF")) {
                evidence.add(h.time(p.getTsMs()) + " PING answered: " + p.getReply());
                ts = Math.max(ts, p.getTsMs());
            }
        }
        List<LogLine> pasted = h.logs(LogKind.MISCONF);
        evidence.addAll(h.evidence(pasted, t.evidenceLines()));
        for (LogLine l : pasted) ts = Math.max(ts, l.tsMs());
        boolean seen = !evidence.isEmpty();

        SaveHealth s = SaveHealth.rdb(h);
        Setting stopWrites = h.setting("stop-writes-on-bgsave-error");
        Setting save = h.setting("save");
        boolean implied = s.everFailed() && stopWrites.yes() && !save.value().isBlank() && !h.liveWithoutConfig();
        if (!seen && !implied) return Optional.empty();
        if (implied) {
            evidence.addAll(
                    s.evidence(h, 2)); // the save failures are bgsave_failing's evidence; two lines place them in time
            evidence.add(stopWrites.evidence());
            evidence.add(save.evidence());
            ts = Math.max(ts, s.newestTs(h));
        }
        boolean now = seen
                        && h.latestPing()
                                .map(p -> p.getReply().startsWith("MISCONF"))
                                .orElse(true)
                || implied && s.failingNow;
        if (h.currentOnly() && !now) return Optional.empty();
        String since = s.failures.isEmpty()
                ? ""
                : " since " + h.clock(s.failures.get(0).tsMs());
        String summary = now
                ? h.instance() + " refuses all writes (MISCONF): background saves fail" + since
                : h.instance() + " refused writes (MISCONF) while background saves failed" + since
                        + s.recovery.map(r -> ", until " + h.clock(r.tsMs())).orElse("");
        String advice =
                BgsaveFailing.advice(s.cause()) + " Writes resume once a BGSAVE succeeds. To accept writes before that "
                        + "(nothing reaches disk meanwhile): `redis-cli CONFIG SET stop-writes-on-bgsave-error no`.";
        return Optional.of(Finding.of(
                h,
                id(),
                now ? Severity.CRITICAL : Severity.WARNING,
                summary,
                evidence,
                advice,
                ts == 0 ? h.nowMs() : ts));
    }
}
