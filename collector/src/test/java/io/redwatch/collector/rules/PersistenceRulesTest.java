package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.agent.testing.Fixtures;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** fork_enomem, bgsave_failing, misconf_writes_refused, overcommit_disabled, fork_risk, persistence_stale, bgsave_slow, aof_fsync_slow. */
class PersistenceRulesTest {
    private static final long G = 1L << 30;
    private static final long T0 = ts("2026-09-14T16:00:00Z");

    @Test
    void unwritableDirIsBgsaveFailingNotForkEnomem() {
        InstanceView h = history(log("""
                7:M 14 Sep 2026 15:59:00.000 * 1 changes in 3600 seconds. Saving...
                7:M 14 Sep 2026 15:59:00.001 * Background saving started by pid 99
                99:C 14 Sep 2026 15:59:00.002 # Failed opening the RDB file dump.rdb (in server root dir /data) for saving: Permission denied
                7:M 14 Sep 2026 15:59:00.100 # Background saving error
                """))
                .info(liveInfo("rdb_last_bgsave_status:err\nrdb_changes_since_last_save:10\n", T0))
                .build(T0);
        assertEquals(java.util.Set.of("bgsave_failing", "misconf_writes_refused"), ruleIds(h));
        Finding f = finding(h, "bgsave_failing");
        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.advice().contains("writable"), f.advice());
        assertFalse(f.advice().contains("overcommit"), f.advice());
    }

    @Test
    void misconfNeedsSavePointsAndStopWrites() {
        var log = log("7:M 14 Sep 2026 15:59:00.002 # Background saving error\n");
        assertTrue(
                ruleIds(history(log).build(T0)).contains("misconf_writes_refused"),
                "defaults assumed: stop-writes yes, save points on");
        assertFalse(ruleIds(history(log)
                        .config(config(T0, "stop-writes-on-bgsave-error", "no", "save", "3600 1"))
                        .build(T0))
                .contains("misconf_writes_refused"));
        // Redis refuses writes only when save points are set: a BGSAVE failing on a server with save "" does not stop
        // writes.
        assertFalse(ruleIds(history(log)
                        .config(config(T0, "stop-writes-on-bgsave-error", "yes", "save", ""))
                        .build(T0))
                .contains("misconf_writes_refused"));
        // Seen directly: a PING answered MISCONF.
        InstanceView seen = history()
                .ping(
                        ping(
                                T0,
                                io.redwatch.proto.v1.PingResult.Outcome.ERROR_REPLY,
                                "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."))
                .build(T0);
        assertEquals(Severity.CRITICAL, finding(seen, "misconf_writes_refused").severity());
    }

    @Test
    void livePagingReportsOnlyWhatHoldsNowSoAFixedFailureResolves() {
        var failedThenFixed = log("""
                7:M 14 Sep 2026 15:56:27.067 # Can't save in background: fork: Cannot allocate memory
                7:M 14 Sep 2026 15:56:27.100 # Background saving error
                7:M 14 Sep 2026 15:57:00.000 * Background saving started by pid 100
                7:M 14 Sep 2026 15:58:00.000 * Background saving terminated with success
                """);
        var misconfThenPong = List.of(
                ping(
                        ts("2026-09-14T15:56:30Z"),
                        io.redwatch.proto.v1.PingResult.Outcome.ERROR_REPLY,
                        "MISCONF Redis is configured to save RDB snapshots"),
                ping(ts("2026-09-14T15:58:05Z"), io.redwatch.proto.v1.PingResult.Outcome.PONG, "PONG"));

        InstanceView.Builder postMortem = history(failedThenFixed);
        misconfThenPong.forEach(postMortem::ping);
        assertTrue(
                ruleIds(postMortem.buildAtNewestFact())
                        .containsAll(Set.of("fork_enomem", "bgsave_failing", "ping_failed")),
                "a post-mortem still shows what went wrong");

        InstanceView.Builder live = history(failedThenFixed).currentOnly(true);
        misconfThenPong.forEach(live::ping);
        Set<String> now = ruleIds(live.buildAtNewestFact());
        for (String rule : List.of("fork_enomem", "bgsave_failing", "misconf_writes_refused", "ping_failed")) {
            assertFalse(now.contains(rule), rule + " must resolve once saving works and PING answers PONG: " + now);
        }
    }

    @Test
    void forkEnomemRecoveredIsAWarningWithTheRecoveryTime() {
        InstanceView h = history(log("""
                7:M 14 Sep 2026 15:56:27.067 # Can't save in background: fork: Cannot allocate memory
                7:M 14 Sep 2026 15:57:00.000 * Background saving started by pid 100
                7:M 14 Sep 2026 15:58:00.000 * Background saving terminated with success
                """)).buildAtNewestFact();
        Finding f = finding(h, "fork_enomem");
        assertEquals(Severity.WARNING, f.severity());
        assertTrue(f.summary().endsWith("worked again at 15:58"), f.summary());
        assertFalse(ruleIds(history(log("7:M 14 Sep 2026 15:58:00.000 * Background saving terminated with success\n"))
                        .buildAtNewestFact())
                .contains("fork_enomem"));
    }

    @Test
    void overcommitDisabledOnlyWithPersistence() {
        var warning = log(
                "1:M 14 Sep 2026 10:00:00.000 # WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.\n");
        Finding f = finding(history(warning).buildAtNewestFact(), "overcommit_disabled");
        assertEquals(Severity.WARNING, f.severity());
        // A cache that saves nothing: the start-up warning is no finding (and never the cause of a crash).
        InstanceView cache = history(log("""
                1:M 14 Sep 2026 10:00:00.000 # WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.
                1:M 14 Sep 2026 11:00:00.000 # Redis 7.0.15 crashed by signal: 11
                """))
                .config(config(0, "save", "", "appendonly", "no"))
                .buildAtNewestFact();
        assertEquals(java.util.Set.of(), ruleIds(cache));
        // overcommit 1 on the host: nothing to say.
        assertFalse(ruleIds(history()
                        .host(host(T0).setOvercommitMemory(1).build())
                        .info(liveInfo("aof_enabled:1\n", T0))
                        .build(T0))
                .contains("overcommit_disabled"));
    }

    @Test
    void forkRiskFiresBeforeAnyFailureWithTheNumbers() {
        String info = "used_memory:29281598848\nused_memory_rss:30031474688\n";
        InstanceView heuristic = history()
                .info(liveInfo(info, T0))
                .host(host(T0).setMemTotal(62 * G)
                        .setMemAvailable(27 * G)
                        .setSwapFree(0)
                        .setOvercommitMemory(0)
                        .build())
                .build(T0);
        Finding f = finding(heuristic, "fork_risk");
        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals(
                "db1:6379: the next fork will fail: redis uses 27.97 GiB, the kernel will promise 27.00 GiB (overcommit_memory=0)",
                f.summary());
        assertTrue(f.advice().contains("MemAvailable 27.00 GiB + SwapFree 0 B"), f.advice());
        // Strict mode: CommitLimit − Committed_AS.
        InstanceView strict = history()
                .info(liveInfo(info, T0))
                .host(host(T0).setMemTotal(62 * G)
                        .setMemAvailable(40 * G)
                        .setCommitLimit(40 * G)
                        .setCommittedAs(20 * G)
                        .setOvercommitMemory(2)
                        .build())
                .build(T0);
        assertTrue(finding(strict, "fork_risk").advice().contains("CommitLimit 40.00 GiB − Committed_AS 20.00 GiB"));
        // Enough room, or overcommit 1: no risk.
        assertFalse(ruleIds(history()
                        .info(liveInfo(info, T0))
                        .host(host(T0).setMemTotal(62 * G)
                                .setMemAvailable(50 * G)
                                .setOvercommitMemory(0)
                                .build())
                        .build(T0))
                .contains("fork_risk"));
        assertFalse(ruleIds(history()
                        .info(liveInfo(info, T0))
                        .host(host(T0).setMemTotal(62 * G)
                                .setMemAvailable(1 * G)
                                .setOvercommitMemory(1)
                                .build())
                        .build(T0))
                .contains("fork_risk"));
    }

    @Test
    void persistenceStaleOnTheServersOwnClock() {
        long now = T0 / 1000;
        String stale = "server_time_usec:" + now * 1_000_000 + "\nrdb_changes_since_last_save:5000\nrdb_last_save_time:"
                + (now - 3 * 3600) + "\nrdb_last_bgsave_status:ok\n";
        assertTrue(finding(history().info(liveInfo(stale, T0)).build(T0), "persistence_stale")
                .summary()
                .contains("180 min ago"));
        String fresh = stale.replace("rdb_last_save_time:" + (now - 3 * 3600), "rdb_last_save_time:" + (now - 600));
        assertFalse(ruleIds(history().info(liveInfo(fresh, T0)).build(T0)).contains("persistence_stale"));
        // Pasted INFO without a clock of its own cannot be judged (seed 001's dump is years old).
        assertFalse(ruleIds(history()
                        .info(pastedInfo(Fixtures.text("/info/seed-001-persistence.txt")))
                        .buildAtNewestFact())
                .contains("persistence_stale"));
        // Saving nothing on purpose is not stale.
        assertFalse(ruleIds(history()
                        .info(liveInfo(stale, T0))
                        .config(config(T0, "save", ""))
                        .build(T0))
                .contains("persistence_stale"));
    }

    @Test
    void bgsaveSlowFromInfoLogOrIowait() {
        assertTrue(ruleIds(history()
                        .info(pastedInfo(Fixtures.text("/info/seed-001-persistence.txt")))
                        .buildAtNewestFact())
                .contains("bgsave_slow"));
        assertFalse(ruleIds(history()
                        .info(liveInfo("rdb_last_bgsave_time_sec:12\nrdb_bgsave_in_progress:0\n", T0))
                        .build(T0))
                .contains("bgsave_slow"));
        InstanceView busy = history()
                .info(liveInfo(
                        "rdb_last_bgsave_time_sec:5\nrdb_bgsave_in_progress:1\nrdb_current_bgsave_time_sec:3\n", T0))
                .host(host(T0).setIowaitPct(35).build())
                .build(T0);
        assertTrue(finding(busy, "bgsave_slow").summary().contains("iowait 35%"));
    }

    @Test
    void aofFsyncSlowFromTheLog() {
        InstanceView h = history(
                        log(
                                "1:M 14 Sep 2026 10:00:00.000 * Asynchronous AOF fsync is taking too long (disk is busy?). "
                                        + "Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.\n"))
                .buildAtNewestFact();
        assertEquals(java.util.Set.of("aof_fsync_slow"), ruleIds(h));
        assertFalse(ruleIds(history()
                        .info(liveInfo("aof_delayed_fsync:3\n", T0 - 60_000))
                        .info(liveInfo("aof_delayed_fsync:3\n", T0))
                        .build(T0))
                .contains("aof_fsync_slow"));
        assertTrue(ruleIds(history()
                        .info(liveInfo("aof_delayed_fsync:3\n", T0 - 60_000))
                        .info(liveInfo("aof_delayed_fsync:9\n", T0))
                        .build(T0))
                .contains("aof_fsync_slow"));
    }

    @Test
    void aForegroundSaveAtShutdownDoesNotEndAnEarlierBgsave() {
        // The parent logs the errors of its own SAVE at shutdown; the BGSAVE started at 14:27 ended in its child long
        // before.
        InstanceView h = history(log("""
                1490:M 08 Nov 2021 14:27:02.048 * Background saving started by pid 144062
                144062:C 08 Nov 2021 14:27:02.050 # Write error saving DB on disk: No space left on device
                1490:M 08 Nov 2021 15:44:19.177 # User requested shutdown...
                1490:M 08 Nov 2021 15:44:19.253 # Write error saving DB on disk: No space left on device
                1490:M 08 Nov 2021 15:44:22.069 * Background saving started by pid 612953
                1490:M 08 Nov 2021 15:44:22.169 # Background saving error
                """)).buildAtNewestFact();
        assertTrue(ruleIds(h).contains("bgsave_failing"));
        assertFalse(ruleIds(h).contains("bgsave_slow"), ruleIds(h).toString());
    }
}
