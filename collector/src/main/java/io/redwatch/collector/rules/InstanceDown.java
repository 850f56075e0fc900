package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** instance_down: the latest PING could not connect at all (connection refused, unreachable). */
final class InstanceDown implements Rule {
    @Override
    public String id() {
        return "instance_down";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        Optional<PingResult> latest = h.latestPing();
        if (latest.isEmpty() || !PingFailed.unreachable(latest.get())) return Optional.empty();
        long since = latest.get().getTsMs();
        for (int i = h.pings().size() - 1;
                i >= 0 && PingFailed.unreachable(h.pings().get(i));
                i--) since = h.pings().get(i).getTsMs();
        List<String> evidence = new ArrayList<>();
        evidence.add(h.time(latest.get().getTsMs()) + " PING: "
                + latest.get()
                        .getOutcome()
                        .name()
                        .toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' ') + ": " + latest.get().getReply());
        if (since != latest.get().getTsMs()) evidence.add("unreachable in every check since " + h.time(since));
        List<LogLine> crashes = h.logs(LogKind.CRASH);
        if (!crashes.isEmpty()) evidence.add(h.evidence(crashes.get(crashes.size() - 1)));
        String summary = h.instance() + " is down: " + latest.get().getReply() + " (since " + h.clock(since) + ")";
        String advice =
                "Check the process (`systemctl status redis`, `journalctl -u redis`), the end of its log, and `dmesg` for the OOM killer; "
                        + "then start it again.";
        return Optional.of(Finding.of(
                h,
                id(),
                Severity.CRITICAL,
                summary,
                evidence,
                advice,
                latest.get().getTsMs()));
    }
}
