package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** fd_leak_pipes, maxclients_exhausted, aof_rewrite_failing. */
class DescriptorRulesTest {
    private static final long T0 = ts("2026-08-16T01:07:39Z");

    @Test
    void aSocketLeakIsNotAPipeLeak() {
        InstanceView h = history().process(process(T0, 10020, 10010, 4, 10032)).build(T0);
        assertEquals(Set.of("maxclients_exhausted"), ruleIds(h));
        Finding f = finding(h, "maxclients_exhausted");
        assertTrue(f.advice().contains("CLIENT LIST"), f.advice());
        assertTrue(
                f.evidence().contains("maxclients 10000 (not known: assumed, Redis's default)"),
                String.join("\n", f.evidence()));
    }

    @Test
    void pipesGrowingAcrossTheWindowBeforeTheCeiling() {
        InstanceView h = history()
                .process(process(T0 - 40 * 60_000, 600, 500, 20, 10032))
                .process(process(T0, 760, 500, 180, 10032))
                .build(T0);
        assertEquals(Set.of("fd_leak_pipes"), ruleIds(h));
        assertTrue(finding(h, "fd_leak_pipes").summary().contains("+160 since"));
        InstanceView steady = history()
                .process(process(T0 - 40 * 60_000, 600, 500, 6, 10032))
                .process(process(T0, 610, 510, 6, 10032))
                .build(T0);
        assertEquals(Set.of(), ruleIds(steady));
    }

    @Test
    void theCeilingIsTheSmallerOfMaxclientsPlus128AndTheRlimit() {
        // maxclients 1000 → event loop 1128; RLIMIT 65536 does not matter. 1020 fds ≥ 90 % of 1128.
        InstanceView h = history()
                .config(config(T0, "maxclients", "1000"))
                .process(process(T0, 1020, 1010, 4, 65536))
                .build(T0);
        assertTrue(finding(h, "maxclients_exhausted").summary().contains("ceiling of 1128"));
        InstanceView room = history()
                .config(config(T0, "maxclients", "1000"))
                .process(process(T0, 900, 890, 4, 65536))
                .build(T0);
        assertFalse(ruleIds(room).contains("maxclients_exhausted"));
        // rejected_connections rising says it too.
        InstanceView rejected = history()
                .info(liveInfo("rejected_connections:0\n", T0 - 60_000))
                .info(liveInfo("rejected_connections:12\n", T0))
                .build(T0);
        assertTrue(ruleIds(rejected).contains("maxclients_exhausted"));
    }

    @Test
    void aofRewriteFailingFromInfoOrLogAndNotOnAFixedRedis() {
        assertEquals(
                Set.of("aof_rewrite_failing"),
                ruleIds(history()
                        .info(liveInfo("aof_enabled:1\naof_last_bgrewrite_status:err\n", T0))
                        .build(T0)));
        assertEquals(
                Set.of(),
                ruleIds(history()
                        .info(liveInfo("aof_enabled:1\naof_last_bgrewrite_status:ok\n", T0))
                        .build(T0)));
        // On Redis 4.0 the failed rewrite forks leak nothing: no pipe leak is claimed from the log.
        String log = """
                1838:M 16 Aug 01:07:38.000 # Server started, Redis version 4.0.14
                1838:M 16 Aug 01:07:39.101 # Can't rewrite append only file in background: fork: Cannot allocate memory
                1838:M 16 Aug 01:07:39.319 # Error opening /setting AOF rewrite IPC pipes: Numerical result out of range
                """;
        Set<String> ids = ruleIds(history(log(log)).buildAtNewestFact());
        assertTrue(ids.contains("aof_rewrite_failing") && ids.contains("fork_enomem"), ids.toString());
        assertFalse(ids.contains("fd_leak_pipes"), ids.toString());
        assertFalse(ids.contains("bgsave_failing"), "an AOF rewrite is not an RDB save");
    }
}
