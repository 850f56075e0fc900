package io.redwatch.collector.rules;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ping_failed: PING got something other than PONG (an error reply, a timeout, an auth failure). The
 * exact reply is the finding: it names the cause. Connection failures are instance_down.
 */
final class PingFailed implements Rule {
    @Override
    public String id() {
        return "ping_failed";
    }

    static boolean unreachable(PingResult p) {
        return p.getOutcome() == PingResult.Outcome.CONNECTION_REFUSED
                || p.getOutcome() == PingResult.Outcome.CONNECT_FAILED;
    }

    static boolean failed(PingResult p) {
        return p.getOutcome() != PingResult.Outcome.PONG
                && !unreachable(p)
                && !(p.getOutcome() == PingResult.Outcome.OUTCOME_UNSPECIFIED && "PONG".equals(p.getReply()));
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<PingResult> bad = h.pings().stream().filter(PingFailed::failed).toList();
        if (bad.isEmpty()) return Optional.empty();
        PingResult latest = h.latestPing().get();
        boolean now = failed(latest);
        if (h.currentOnly() && !now) return Optional.empty();
        Map<String, List<PingResult>> byReply = new LinkedHashMap<>();
        for (PingResult p : bad)
            byReply.computeIfAbsent(p.getReply(), k -> new ArrayList<>()).add(p);
        List<String> evidence = new ArrayList<>();
        for (Map.Entry<String, List<PingResult>> e : byReply.entrySet()) {
            List<PingResult> ps = e.getValue();
            evidence.add(h.time(ps.get(ps.size() - 1).getTsMs()) + " PING answered: " + e.getKey()
                    + (ps.size() > 1
                            ? "   (" + ps.size() + " times since "
                                    + h.time(ps.get(0).getTsMs()) + ")"
                            : ""));
        }
        PingResult shown = now ? latest : bad.get(bad.size() - 1);
        String summary = h.instance() + (now ? " answers PING with: " : " answered PING with: ") + shown.getReply()
                + " (" + bad.size() + " of " + h.pings().size() + " checks since "
                + h.clock(h.pings().get(0).getTsMs()) + ")";
        return Optional.of(Finding.of(
                h,
                id(),
                now ? Severity.CRITICAL : Severity.WARNING,
                summary,
                evidence,
                advice(shown),
                shown.getTsMs()));
    }

    private static String advice(PingResult p) {
        String r = p.getReply();
        if (r.startsWith("LOADING"))
            return "The server is loading its dataset; on a replica that repeats, see full_resync_loop.";
        if (r.startsWith("MISCONF"))
            return "Background saves fail and writes are refused: see bgsave_failing and misconf_writes_refused.";
        if (r.startsWith("BUSY"))
            return "A script or function blocks the server: `redis-cli SCRIPT KILL` (or `FUNCTION KILL`); "
                    + "`SHUTDOWN NOSAVE` only if it already wrote.";
        if (r.startsWith("NOAUTH") || r.startsWith("WRONGPASS") || p.getOutcome() == PingResult.Outcome.AUTH_FAILED) {
            return "The agent's password is wrong or missing: set the instance's password_file in agent.yaml.";
        }
        if (r.startsWith("MASTERDOWN"))
            return "The replica lost its master and replica-serve-stale-data is no: see repl_link_down.";
        if (p.getOutcome() == PingResult.Outcome.TIMEOUT)
            return "The server is blocked or overloaded: `redis-cli --latency`, "
                    + "`redis-cli SLOWLOG GET 10`, and the host's CPU and swap.";
        return "Read the reply: it names the cause; the Redis log around the same time says more.";
    }
}
