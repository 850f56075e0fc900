package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One sample decides, as an expert reading one INFO, one fd table or one log would: ratios and mechanisms, no history. */
class SingleSnapshotRulesTest {
    private static final long T0 = ts("2026-11-21T03:00:00Z");

    private static InstanceView liveFds(int sockets, int pipes, String maxclients) {
        return history()
                .currentOnly(true)
                .process(process(T0, sockets + pipes + 9, sockets, pipes, 10032))
                .config(config(T0 - 60_000, "maxclients", maxclients))
                .build(T0);
    }

    @Test
    void anFdTableDominatedByPipesIsALeakFromOneSample() {
        // The live case: maxclients 64 gives an event loop of 192 descriptors; 179 leaked pipes, 2 sockets.
        InstanceView leak = liveFds(2, 179, "64");
        assertEquals(Set.of("fd_leak_pipes", "maxclients_exhausted"), ruleIds(leak));
        Finding pipes = finding(leak, "fd_leak_pipes");
        assertTrue(pipes.summary().contains("179 pipes open against 2 sockets"), pipes.summary());
        assertTrue(
                pipes.evidence().stream().anyMatch(e -> e.contains("pipes hold 93% of the descriptor ceiling 192")),
                pipes.evidence().toString());
        assertTrue(finding(leak, "maxclients_exhausted").advice().contains("see fd_leak_pipes"));

        // Outnumbering the sockets past pipe_fds (64) is a leak whatever the ceiling.
        assertEquals(Set.of("fd_leak_pipes"), ruleIds(liveFds(5, 80, "10000")));
        // A healthy Redis: a dozen pipes at most (child-info, AOF rewrite, diskless sync), sockets for clients.
        assertEquals(Set.of(), ruleIds(liveFds(150, 12, "10000")));
        // Many sockets and some pipes: not this rule; the clients fill the table (maxclients 100: 228).
        InstanceView clients = liveFds(200, 10, "100");
        assertEquals(Set.of("maxclients_exhausted"), ruleIds(clients));
        assertTrue(finding(clients, "maxclients_exhausted").advice().contains("CLIENT LIST"));
    }

    @Test
    void liveCeilingsAreNotBuiltOnAnAssumedMaxclients() {
        // No CONFIG yet: maxclients would be assumed; the fds alone (RLIMIT_NOFILE) still decide.
        InstanceView noConfig = history()
                .currentOnly(true)
                .process(process(T0, 190, 2, 179, 10032))
                .build(T0);
        assertEquals(
                Set.of("fd_leak_pipes"),
                ruleIds(noConfig),
                "179 pipes against 2 sockets is a leak without any setting");
    }

    @Test
    void oomRefusalsCountedAtTheLimitAreOomNowFromOneSample() {
        String atLimit = "used_memory:1047000\nmaxmemory:1048576\nmaxmemory_policy:noeviction\n";
        InstanceView refusing = history()
                .currentOnly(true)
                .config(config(T0, "maxmemory", "1048576"))
                .info(liveInfo(atLimit + "errorstat_OOM:count=12\n", T0))
                .build(T0);
        assertEquals(Set.of("maxmemory_oom"), ruleIds(refusing));
        Finding oom = finding(refusing, "maxmemory_oom");
        assertTrue(
                oom.evidence().stream().anyMatch(e -> e.contains("errorstat_OOM count=12")),
                oom.evidence().toString());
        assertTrue(oom.advice().contains("CONFIG SET maxmemory 2mb"), oom.advice());
        // The same memory without a refusal counted: close to the limit, a warning.
        assertEquals(
                Set.of("maxmemory_near"),
                ruleIds(history()
                        .currentOnly(true)
                        .config(config(T0, "maxmemory", "1048576"))
                        .info(liveInfo(atLimit, T0))
                        .build(T0)));
    }

    @Test
    void withinOnePercentUnderNoevictionOnARedisThatCountsNoRefusalsIsFull() {
        // Redis 2.8 after refusing writes: no errorstats, used_memory 33 KB under a 4 MB limit (measured).
        String full28 = "redis_version:2.8.19\nused_memory:4161304\nmaxmemory:4194304\nmaxmemory_policy:noeviction\n";
        InstanceView full = history()
                .currentOnly(true)
                .config(config(T0, "maxmemory", "4194304"))
                .info(liveInfo(full28, T0))
                .build(T0);
        assertEquals(Set.of("maxmemory_oom"), ruleIds(full));
        assertTrue(finding(full, "maxmemory_oom").evidence().stream().anyMatch(e -> e.contains("4161304")));
        // The same memory on a Redis that counts refusals, none counted: close to the limit, a warning.
        InstanceView counting = history()
                .currentOnly(true)
                .config(config(T0, "maxmemory", "4194304"))
                .info(liveInfo(full28.replace("2.8.19", "7.0.15"), T0))
                .build(T0);
        assertEquals(Set.of("maxmemory_near"), ruleIds(counting));
    }

    @Test
    void farAboveTheLimitUnderAVolatilePolicyNothingIsLeftToEvict() {
        InstanceView volatileLru = history()
                .info(pastedInfo("used_memory:1200\nmaxmemory:1000\nmaxmemory_policy:volatile-lru\n"))
                .buildAtNewestFact();
        assertEquals(Set.of("maxmemory_oom"), ruleIds(volatileLru));
        assertTrue(
                finding(volatileLru, "maxmemory_oom").advice().contains("TTL"),
                finding(volatileLru, "maxmemory_oom").advice());
        // At the limit a volatile policy is still evicting; allkeys-* always has something to evict.
        assertEquals(
                Set.of("maxmemory_near"),
                ruleIds(history()
                        .info(pastedInfo("used_memory:1010\nmaxmemory:1000\nmaxmemory_policy:volatile-ttl\n"))
                        .buildAtNewestFact()));
        assertEquals(
                Set.of("maxmemory_near"),
                ruleIds(history()
                        .info(pastedInfo("used_memory:1200\nmaxmemory:1000\nmaxmemory_policy:allkeys-lru\n"))
                        .buildAtNewestFact()));
    }

    @Test
    void aofPipesOutOfRangeBefore329IsThePipeLeak() {
        String pipes = """
                1838:M 16 Aug 01:07:30.001 # Server started, Redis version VERSION
                1838:M 16 Aug 01:07:39.319 * Starting automatic rewriting of AOF on 110% growth
                1838:M 16 Aug 01:07:39.319 # Error opening /setting AOF rewrite IPC pipes: Numerical result out of range
                """;
        InstanceView old = history(log(pipes.replace("VERSION", "3.2.8"))).buildAtNewestFact();
        assertEquals(Set.of("aof_rewrite_failing", "fd_leak_pipes", "maxclients_exhausted"), ruleIds(old));
        Finding leak = finding(old, "fd_leak_pipes");
        assertTrue(leak.advice().contains("3.2.9"), leak.advice());
        assertTrue(finding(old, "aof_rewrite_failing").advice().contains("see fd_leak_pipes and maxclients_exhausted"));

        // Fixed in 3.2.9: the table is full (a pipe could not be registered) but not of leaked rewrite pipes.
        InstanceView fixed = history(log(pipes.replace("VERSION", "4.0.14"))).buildAtNewestFact();
        assertEquals(Set.of("aof_rewrite_failing", "maxclients_exhausted"), ruleIds(fixed));
        assertTrue(finding(fixed, "aof_rewrite_failing").advice().contains("see maxclients_exhausted"));

        // Another reason than ERANGE (redis#4538, a closed fd) says nothing about the table.
        InstanceView enoent = history(log("""
                1838:M 16 Aug 01:07:39.319 # Error opening /setting AOF rewrite IPC pipes: No such file or directory
                """)).buildAtNewestFact();
        assertEquals(Set.of("aof_rewrite_failing"), ruleIds(enoent));
        assertFalse(finding(enoent, "aof_rewrite_failing").advice().contains("_"), "names no rule that did not fire");
    }

    @Test
    void onlyAnOutOfRangeRegistrationErrorMeansTheTableIsFull() {
        assertEquals(
                Set.of("maxclients_exhausted"),
                ruleIds(history(
                                log(
                                        "32316:M 19 Sep 15:15:42.466 # Error registering fd event for the new client: Numerical result out of range (fd=10128)\n"))
                        .buildAtNewestFact()));
        assertEquals(
                Set.of(),
                ruleIds(history(
                                log(
                                        "32316:M 19 Sep 15:15:42.466 # Error registering fd event for the new client: No such file or directory (fd=157)\n"))
                        .buildAtNewestFact()));
    }

    @Test
    void aDeadPortLiveIsInstanceDownOnlyNoAssumedSetting() {
        // An agent pointed at a port where nothing listens: PING refused, no INFO, no CONFIG, host facts read.
        InstanceView.Builder b = history()
                .currentOnly(true)
                .host(host(T0).setOvercommitMemory(0)
                        .setThpEnabled("always")
                        .setSomaxconn(128)
                        .build());
        for (int k = 3; k >= 0; k--)
            b.ping(ping(T0 - k * 10_000L, PingResult.Outcome.CONNECTION_REFUSED, "connection refused"));
        assertEquals(Set.of("instance_down"), ruleIds(b.build(T0)));

        // Once a real CONFIG arrives, the host settings are judged for the Redis that runs there.
        InstanceView answering = history()
                .currentOnly(true)
                .host(host(T0).setOvercommitMemory(0)
                        .setThpEnabled("always")
                        .setSomaxconn(128)
                        .build())
                .config(config(T0, "save", "3600 1", "appendonly", "no", "tcp-backlog", "511"))
                .ping(ping(T0, PingResult.Outcome.PONG, "PONG"))
                .build(T0);
        assertEquals(Set.of("overcommit_disabled", "thp_enabled", "somaxconn_low"), ruleIds(answering));
        assertTrue(finding(answering, "overcommit_disabled").evidence().contains("save 3600 1 (CONFIG)"));
    }
}
