package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.agent.testing.Fixtures;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.LogEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The five post-mortems of the seeds: each names the right causes, and not the wrong ones. */
class SeedDiagnosisTest {
    private static final long G = 1L << 30;

    /** Seed 000: MISCONF from fork failures (part 1), then a replica in a full-resync loop (part 2). */
    @Test
    void seed000_forkFailureThenResyncLoop() {
        List<LogEvent> log = log(Fixtures.text("/logs/seed-000.log"));
        long newest = log.stream().mapToLong(LogEvent::getTsMs).max().getAsLong();
        InstanceView h = history(log)
                .info(pastedInfo(Fixtures.text("/info/seed-000-clients-memory.txt")))
                .host(host(newest)
                        .setMemTotal(62 * G)
                        .setMemAvailable(27 * G)
                        .setSwapFree(0)
                        .setOvercommitMemory(0)
                        .build())
                .buildAtNewestFact();
        assertEquals(
                Set.of(
                        "fork_enomem",
                        "bgsave_failing",
                        "misconf_writes_refused",
                        "overcommit_disabled",
                        "fork_risk",
                        "full_resync_loop",
                        "output_buffer_limit_kill",
                        "backlog_too_small",
                        "replica_loading"),
                ruleIds(h));
        // Part 2's symptom: the replica answered LOADING while it reloaded its dataset again and again
        // (the first load after its start is not counted).
        Finding loading = finding(h, "replica_loading");
        assertTrue(loading.summary().contains("reloaded its dataset 4 times (12:54–13:55)"), loading.summary());
        assertTrue(
                loading.evidence().get(0).contains("28.8 s at 12:54"),
                loading.evidence().toString());
        assertTrue(loading.advice().contains("see full_resync_loop"), loading.advice());

        Finding loop = finding(h, "full_resync_loop");
        assertEquals(Severity.CRITICAL, loop.severity());
        assertTrue(loop.summary().contains("10.242.117.36:6666"), loop.summary());
        // Measured, not guessed: the sync window from the log's timestamps, the omem peak of the kill lines.
        assertTrue(
                loop.evidence().contains("bgsave 45.3 s (longest BGSAVE for SYNC in the log)"),
                String.join("\n", loop.evidence()));
        assertTrue(
                loop.evidence().stream().anyMatch(e -> e.startsWith("load 31.0 s")),
                String.join("\n", loop.evidence()));
        assertTrue(loop.evidence().stream().anyMatch(e -> e.contains("omem = 256.01 MiB (268443524 bytes)")));
        assertTrue(loop.evidence().contains("repl-backlog-size 1048576 (not known: assumed, Redis's default)"));
        assertTrue(loop.advice().contains("CONFIG SET repl-backlog-size 128mb"), loop.advice());
        // Redis 3.0 (from the start-up line) knows the class as "slave", not "replica".
        assertTrue(loop.advice().contains("client-output-buffer-limit \"slave 1gb 512mb 240\""), loop.advice());

        // Part 1 recovered (the post-mortem ran sysctl): reported, but not as an ongoing outage.
        Finding fork = finding(h, "fork_enomem");
        assertEquals(Severity.WARNING, fork.severity());
        assertTrue(
                fork.summary().contains("3 times since 11 Aug 10:43")
                        && fork.summary().contains("worked again at 11 Aug 11:04"),
                fork.summary());
        Finding risk = finding(h, "fork_risk");
        assertTrue(risk.summary().contains("27.97 GiB") && risk.summary().contains("27.00 GiB"), risk.summary());
    }

    /** Seed 001: a fork failure that lost data, a slow BGSAVE; and, in its last part, maxmemory reached. */
    @Test
    void seed001_persistenceAndMaxmemory() {
        List<LogEvent> log = log(Fixtures.text("/logs/seed-001.log"));
        InstanceView h = history(log)
                .info(pastedInfo(Fixtures.text("/info/seed-001-persistence.txt")))
                .buildAtNewestFact();
        assertEquals(Set.of("fork_enomem", "bgsave_failing", "misconf_writes_refused", "bgsave_slow"), ruleIds(h));
        assertTrue(finding(h, "misconf_writes_refused")
                .evidence()
                .contains("stop-writes-on-bgsave-error yes (not known: assumed, Redis's default)"));
        // The team had stop-writes-on-bgsave-error off: writes went on, nothing reached disk. Then no MISCONF is
        // claimed.
        InstanceView off = history(log)
                .info(pastedInfo(Fixtures.text("/info/seed-001-persistence.txt")))
                .config(config(0, "stop-writes-on-bgsave-error", "no", "save", "900 1 300 10 60 10000"))
                .buildAtNewestFact();
        assertEquals(Set.of("fork_enomem", "bgsave_failing", "bgsave_slow"), ruleIds(off));
        assertEquals(Severity.CRITICAL, finding(off, "bgsave_failing").severity());

        // "maxmemory 8G", used_memory_human:7.71G, then OOM command not allowed.
        String memory =
                "# Memory\nused_memory:8278581371\nused_memory_human:7.71G\nmaxmemory:8589934592\nmaxmemory_policy:noeviction\n";
        InstanceView near = history().info(pastedInfo(memory)).buildAtNewestFact();
        assertEquals(Set.of("maxmemory_near"), ruleIds(near));
        InstanceView oom = history(log("(error) OOM command not allowed when used memory > 'maxmemory'."))
                .info(pastedInfo(memory))
                .buildAtNewestFact();
        assertEquals(Set.of("maxmemory_near", "maxmemory_oom"), ruleIds(oom));
    }

    /** Seed 002: the master drops the replica for its output buffer and cannot resume it; the replica shows nonsense progress. */
    @Test
    void seed002_resyncLoopWithOmemAndNegativeLeftBytes() {
        InstanceView master = history(log(Fixtures.text("/logs/seed-002.log")))
                .info(pastedInfo(resource("seed-002-master-info.txt")))
                .buildAtNewestFact();
        assertEquals(
                Set.of("full_resync_loop", "output_buffer_limit_kill", "backlog_too_small", "bgsave_slow"),
                ruleIds(master));
        Finding kill = finding(master, "output_buffer_limit_kill");
        assertTrue(kill.summary().contains("192.168.10.82") && kill.summary().contains("2 times"), kill.summary());
        assertTrue(kill.evidence().contains("repl-backlog-size 1048576 (INFO)"), String.join("\n", kill.evidence()));
        // W from the offsets the master logged (99,567,019 bytes in 204.472 s), T from its BGSAVE and transfer times.
        assertTrue(
                kill.evidence().stream().anyMatch(e -> e.startsWith("write rate W = 475.53 KiB/s")),
                String.join("\n", kill.evidence()));

        InstanceView replica = history()
                .info(pastedInfo(resource("seed-002-replica-info.txt")))
                .buildAtNewestFact();
        assertEquals(Set.of("repl_link_down", "diskless_sync_stuck"), ruleIds(replica));
        assertTrue(finding(replica, "diskless_sync_stuck").summary().contains("-4022404224"));
    }

    /** Seed 003: AOF rewrite forks fail, the pipes leak, no new client can connect. */
    @Test
    void seed003_pipeLeakExhaustsDescriptors() {
        List<LogEvent> log = log(Fixtures.text("/logs/seed-003.log"));
        long newest = log.stream().mapToLong(LogEvent::getTsMs).max().getAsLong();
        InstanceView h = history(log)
                .process(process(newest, 10322, 499, 9823, 10032).toBuilder()
                        .setVmRss(10223616L * 1024)
                        .build())
                .config(config(newest, "maxclients", "10000", "appendonly", "yes"))
                .host(host(newest)
                        .setMemTotal(16267724L * 1024)
                        .setMemAvailable(5242880L * 1024)
                        .setSwapFree(0)
                        .setOvercommitMemory(0)
                        .setThpEnabled("always")
                        .setSomaxconn(128)
                        .build())
                .buildAtNewestFact();
        assertEquals(
                Set.of(
                        "fork_enomem",
                        "fork_risk",
                        "fd_leak_pipes",
                        "maxclients_exhausted",
                        "aof_rewrite_failing",
                        "overcommit_disabled",
                        "thp_enabled",
                        "somaxconn_low"),
                ruleIds(h));
        Finding max = finding(h, "maxclients_exhausted");
        // The real ceiling is RLIMIT_NOFILE (10032), below maxclients + 128 (10128).
        assertTrue(max.summary().contains("10322 fds open of a ceiling of 10032"), max.summary());
        assertTrue(max.advice().contains("leaked pipes"), max.advice());
        assertTrue(finding(h, "fd_leak_pipes").summary().contains("9823 pipes open against 499 sockets"));

        // The log alone: the leak is inferred (a warning), the fd ceiling shown by the registration errors.
        InstanceView logOnly = history(log).buildAtNewestFact();
        assertEquals(
                Set.of("fork_enomem", "fd_leak_pipes", "maxclients_exhausted", "aof_rewrite_failing"),
                ruleIds(logOnly));
        assertEquals(Severity.WARNING, finding(logOnly, "fd_leak_pipes").severity());
    }

    /** Seed 004: one pasted line of fork failures every six seconds; writes refused with MISCONF. */
    @Test
    void seed004_forkEnomemRepeatingAndMisconf() {
        InstanceView h = history(log(Fixtures.text("/logs/seed-004.log"))).buildAtNewestFact();
        assertEquals(Set.of("fork_enomem", "bgsave_failing", "misconf_writes_refused"), ruleIds(h));
        Finding fork = finding(h, "fork_enomem");
        assertEquals(Severity.CRITICAL, fork.severity());
        assertEquals("db1:6379 cannot save: fork() fails for lack of memory (5 times since 15:56)", fork.summary());
        assertTrue(fork.advice().contains("sysctl vm.overcommit_memory=1"));
        assertEquals(Severity.CRITICAL, finding(h, "misconf_writes_refused").severity());
    }
}
