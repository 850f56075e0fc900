package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.agent.testing.Fixtures;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.LogEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Findings agree with each other on every fixture (the seeds, the corpus, each judged as a
 * post-mortem and live at its newest fact): advice that sends the reader to another rule only does
 * so when that rule fired, and one piece of evidence never gets two verdicts that contradict.
 */
class RulesConsistencyTest {
    private static final long G = 1L << 30;

    @Test
    void adviceNamesOnlyRulesThatFired() {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new TreeSet<>(Diagnosis.ruleIds());
        ids.add("agent_silent");
        for (Map.Entry<String, InstanceView> e : fixtures().entrySet()) {
            List<Finding> findings = diagnose(e.getValue());
            Set<String> fired = new TreeSet<>();
            findings.forEach(f -> fired.add(f.rule()));
            for (Finding f : findings) {
                for (String id : ids) {
                    if (!id.equals(f.rule()) && names(f.advice(), id) && !fired.contains(id)) {
                        problems.add(e.getKey() + ": " + f.rule() + " advice names " + id + ", which did not fire ("
                                + fired + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void oneEvidenceOneVerdict() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, InstanceView> e : fixtures().entrySet()) {
            List<Finding> findings = diagnose(e.getValue());
            Map<String, Finding> by = new LinkedHashMap<>();
            findings.forEach(f -> by.put(f.rule(), f));
            String k = e.getKey();
            // A failed fork is a failed save or rewrite: never "fork fails" with saves and rewrites judged fine.
            if (by.containsKey("fork_enomem")
                    && !by.containsKey("bgsave_failing")
                    && !by.containsKey("aof_rewrite_failing")) {
                problems.add(k + ": fork_enomem without a failing save or rewrite");
            }
            // What fills the descriptor table: pipes per fd_leak_pipes, so maxclients_exhausted must not blame clients.
            if (by.containsKey("fd_leak_pipes")
                    && by.containsKey("maxclients_exhausted")
                    && !by.get("maxclients_exhausted").advice().contains("fd_leak_pipes")) {
                problems.add(k + ": fd_leak_pipes fired but maxclients_exhausted blames clients");
            }
            if (!by.containsKey("fd_leak_pipes")
                    && by.containsKey("maxclients_exhausted")
                    && by.get("maxclients_exhausted").advice().contains("leaked pipes")) {
                problems.add(k + ": maxclients_exhausted blames leaked pipes that fd_leak_pipes did not find");
            }
            // One memory sample: refusing writes, or near the limit, not both.
            if (by.containsKey("maxmemory_oom")
                    && by.containsKey("maxmemory_near")
                    && by.get("maxmemory_oom").evidence().stream()
                            .anyMatch(
                                    x -> x.contains("errorstat_OOM count=") || x.contains("writes refused with OOM"))) {
                problems.add(k + ": maxmemory_near beside an OOM judged from the same INFO");
            }
            // A loop shown by the log and a replica whose log shows it reloading: the loading finding points at the
            // loop.
            if (by.containsKey("replica_loading")
                    && by.containsKey("full_resync_loop")
                    && !by.get("replica_loading").advice().contains("full_resync_loop")) {
                problems.add(k + ": replica_loading does not point at the loop that fired");
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Whole-word occurrence of a rule id ("fork_risk" must not match inside another id). */
    private static boolean names(String text, String id) {
        int at = text.indexOf(id);
        while (at >= 0) {
            boolean before = at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1)) && text.charAt(at - 1) != '_';
            int end = at + id.length();
            boolean after =
                    end >= text.length() || !Character.isLetterOrDigit(text.charAt(end)) && text.charAt(end) != '_';
            if (before && after) return true;
            at = text.indexOf(id, at + 1);
        }
        return false;
    }

    /** Every fixture, each as a post-mortem and as live paging would see it at its newest fact. */
    static Map<String, InstanceView> fixtures() {
        Map<String, InstanceView.Builder> builders = new LinkedHashMap<>();
        List<LogEvent> seed000 = log(Fixtures.text("/logs/seed-000.log"));
        long newest000 = seed000.stream().mapToLong(LogEvent::getTsMs).max().getAsLong();
        builders.put(
                "seed-000",
                history(seed000)
                        .info(pastedInfo(Fixtures.text("/info/seed-000-clients-memory.txt")))
                        .host(host(newest000)
                                .setMemTotal(62 * G)
                                .setMemAvailable(27 * G)
                                .setSwapFree(0)
                                .setOvercommitMemory(0)
                                .build()));
        builders.put(
                "seed-001",
                history(log(Fixtures.text("/logs/seed-001.log")))
                        .info(pastedInfo(Fixtures.text("/info/seed-001-persistence.txt"))));
        builders.put(
                "seed-001-stop-writes-off",
                history(log(Fixtures.text("/logs/seed-001.log")))
                        .info(pastedInfo(Fixtures.text("/info/seed-001-persistence.txt")))
                        .config(config(0, "stop-writes-on-bgsave-error", "no", "save", "900 1 300 10 60 10000")));
        builders.put(
                "seed-002-master",
                history(log(Fixtures.text("/logs/seed-002.log")))
                        .info(pastedInfo(resource("seed-002-master-info.txt"))));
        builders.put("seed-002-replica", history().info(pastedInfo(resource("seed-002-replica-info.txt"))));
        List<LogEvent> seed003 = log(Fixtures.text("/logs/seed-003.log"));
        long newest003 = seed003.stream().mapToLong(LogEvent::getTsMs).max().getAsLong();
        builders.put(
                "seed-003",
                history(seed003)
                        .process(process(newest003, 10322, 499, 9823, 10032))
                        .config(config(newest003, "maxclients", "10000", "appendonly", "yes"))
                        .host(host(newest003)
                                .setMemTotal(16267724L * 1024)
                                .setMemAvailable(5242880L * 1024)
                                .setSwapFree(0)
                                .setOvercommitMemory(0)
                                .setThpEnabled("always")
                                .setSomaxconn(128)
                                .build()));
        builders.put("seed-003-log-only", history(seed003));
        builders.put("seed-004", history(log(Fixtures.text("/logs/seed-004.log"))));
        builders.put(
                "redis-7.0.15-healthy",
                history().info(pastedInfo(Fixtures.text("/info/redis-7.0.15-master-everything.txt"))));

        Map<String, InstanceView> out = new LinkedHashMap<>();
        for (Map.Entry<String, InstanceView.Builder> e : builders.entrySet()) {
            InstanceView postMortem = e.getValue().buildAtNewestFact();
            out.put(e.getKey(), postMortem);
            out.put(e.getKey() + " (live)", e.getValue().currentOnly(true).build(postMortem.nowMs()));
        }
        for (Map.Entry<String, InstanceView> e : CorpusDiagnosisTest.histories().entrySet()) {
            out.put("corpus " + e.getKey(), e.getValue());
        }
        return out;
    }
}
