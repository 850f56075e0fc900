package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** full_resync_loop, output_buffer_limit_kill, backlog_too_small, replica_loading, repl_link_down, diskless_sync_stuck. */
class ReplicationRulesTest {
    private static final long T0 = ts("2026-08-18T14:00:00Z");

    /** The replica's first sync after a restart, from seed 000: one full resync, one load. */
    private static final String ONE_SYNC_AFTER_RESTART = """
            17859:S 18 Aug 11:26:16.363 # Server started, Redis version 3.0.0
            17859:S 18 Aug 11:26:52.802 * DB loaded from disk: 36.438 seconds
            17859:S 18 Aug 11:26:53.364 * Connecting to MASTER 10.242.73.46:6666
            17859:S 18 Aug 11:26:53.365 * Partial resynchronization not possible (no cached master)
            17859:S 18 Aug 11:26:53.365 * Full resync from master: 91fa2b65639c2ce2caf88d279aba53e8c4ad3a22:1
            17859:S 18 Aug 11:27:38.686 * MASTER <-> SLAVE sync: receiving 2550593979 bytes from master
            17859:S 18 Aug 11:27:59.262 * MASTER <-> SLAVE sync: Flushing old data
            17859:S 18 Aug 11:28:05.517 * MASTER <-> SLAVE sync: Loading DB in memory
            17859:S 18 Aug 11:28:27.393 * MASTER <-> SLAVE sync: Finished with success
            """;

    @Test
    void oneLoadAfterARestartIsNoLoop() {
        InstanceView h = history(log(ONE_SYNC_AFTER_RESTART)).buildAtNewestFact();
        assertEquals(Set.of(), ruleIds(h));
    }

    @Test
    void threeFullResyncsWithinAnHourAreALoopTwoAreNot() {
        String two = """
                2251:M 06 Mar 15:30:15.999 * Slave 192.168.10.82:6379 asks for synchronization
                2251:M 06 Mar 15:30:15.999 * Unable to partial resync with slave 192.168.10.82:6379 for lack of backlog (Slave request was: 1134354232038).
                2251:M 06 Mar 15:30:15.999 * Starting BGSAVE for SYNC with target: disk
                2251:M 06 Mar 15:33:40.471 * Slave 192.168.10.82:6379 asks for synchronization
                2251:M 06 Mar 15:33:40.471 * Unable to partial resync with slave 192.168.10.82:6379 for lack of backlog (Slave request was: 1134453799057).
                2251:M 06 Mar 15:33:40.471 * Starting BGSAVE for SYNC with target: disk
                """;
        assertFalse(ruleIds(history(log(two)).buildAtNewestFact()).contains("full_resync_loop"));
        String late = two + "2251:M 06 Mar 17:35:34.896 * Slave 192.168.10.82:6379 asks for synchronization\n"
                + "2251:M 06 Mar 17:35:34.896 * Full resync requested by slave 192.168.10.82:6379\n";
        assertFalse(
                ruleIds(history(log(late)).buildAtNewestFact()).contains("full_resync_loop"),
                "the third is two hours later");
        String three = two + "2251:M 06 Mar 15:35:34.896 * Slave 192.168.10.82:6379 asks for synchronization\n"
                + "2251:M 06 Mar 15:35:34.896 * Full resync requested by slave 192.168.10.82:6379\n"
                + "2251:M 06 Mar 15:35:40.203 * Starting BGSAVE for SYNC with target: slaves sockets\n";
        Finding f = finding(history(log(three)).buildAtNewestFact(), "full_resync_loop");
        assertTrue(f.summary().contains("replica 192.168.10.82:6379: 3 full resyncs"), f.summary());
    }

    @Test
    void liveALoopResolvesOnceAWindowPassesWithoutResyncs() {
        String loop = """
                2251:M 06 Mar 15:30:15.999 * Slave 192.168.10.82:6379 asks for synchronization
                2251:M 06 Mar 15:30:15.999 * Unable to partial resync with slave 192.168.10.82:6379 for lack of backlog (Slave request was: 1134354232038).
                2251:M 06 Mar 15:30:15.999 * Starting BGSAVE for SYNC with target: disk
                2251:M 06 Mar 15:31:47.093 # Client id=314558845 addr=192.168.10.82:58002 fd=16 name= age=194 idle=1 flags=S db=0 sub=0 psub=0 multi=-1 qbuf=0 qbuf-free=32768 obl=0 oll=3617 omem=95797745 events=rw cmd=psync scheduled to be closed ASAP for overcoming of output buffer limits.
                2251:M 06 Mar 15:33:40.471 * Slave 192.168.10.82:6379 asks for synchronization
                2251:M 06 Mar 15:33:40.471 * Unable to partial resync with slave 192.168.10.82:6379 for lack of backlog (Slave request was: 1134453799057).
                2251:M 06 Mar 15:33:40.471 * Starting BGSAVE for SYNC with target: disk
                2251:M 06 Mar 15:35:34.896 * Slave 192.168.10.82:6379 asks for synchronization
                2251:M 06 Mar 15:35:34.896 * Full resync requested by slave 192.168.10.82:6379
                """;
        long lastResync = history(log(loop)).buildAtNewestFact().nowMs();
        Set<String> replication = Set.of("full_resync_loop", "output_buffer_limit_kill", "backlog_too_small");

        InstanceView during = history(log(loop)).currentOnly(true).build(lastResync + 60_000);
        assertTrue(ruleIds(during).containsAll(replication), ruleIds(during).toString());

        // An hour without a resync (the default window): the loop is over, its alerts may resolve.
        InstanceView after = history(log(loop))
                .currentOnly(true)
                .window(java.time.Duration.ofHours(3))
                .build(lastResync + 3_700_000);
        assertTrue(
                java.util.Collections.disjoint(ruleIds(after), replication),
                ruleIds(after).toString());
        // The post-mortem of the same log still shows the loop.
        InstanceView postMortem =
                history(log(loop)).window(java.time.Duration.ofHours(3)).build(lastResync + 3_700_000);
        assertTrue(
                ruleIds(postMortem).contains("full_resync_loop"),
                ruleIds(postMortem).toString());
    }

    @Test
    void redis7WordingCountsPerRequest() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            String t = "05:5" + i + ":53.493";
            sb.append("5384:M 21 Nov 2026 ").append(t).append(" * Replica 127.0.0.1:27802 asks for synchronization\n");
            sb.append("5384:M 21 Nov 2026 ")
                    .append(t)
                    .append(" * Partial resynchronization not accepted: Replication ID mismatch\n");
            sb.append("5384:M 21 Nov 2026 ")
                    .append(t)
                    .append(" * Starting BGSAVE for SYNC with target: replicas sockets\n");
        }
        Finding f = finding(history(log(sb.toString())).buildAtNewestFact(), "full_resync_loop");
        assertTrue(f.summary().contains("replica 127.0.0.1:27802: 3 full resyncs"), f.summary());
        // Redis 7 knows the class as "replica".
        assertTrue(f.advice().contains("\"replica "), f.advice());
    }

    @Test
    void syncFullCounterOnTheMaster() {
        InstanceView h = history()
                .info(liveInfo("role:master\nsync_full:4\n", T0 - 50 * 60_000))
                .info(liveInfo("role:master\nsync_full:7\n", T0))
                .build(T0);
        assertTrue(ruleIds(h).contains("full_resync_loop"));
        InstanceView calm = history()
                .info(liveInfo("role:master\nsync_full:4\n", T0 - 50 * 60_000))
                .info(liveInfo("role:master\nsync_full:5\n", T0))
                .build(T0);
        assertFalse(ruleIds(calm).contains("full_resync_loop"));
    }

    @Test
    void writeRateFromMasterInfoHistoryDrivesTheBacklogAdvice() {
        // 10 MB/s for 60 s of INFO; a 40 s BGSAVE (INFO) + 20 s transfer + 40 s load (logs): W × T = 1000 MB → ×2 →
        // 2gb.
        InstanceView h = history(log("""
                1:M 18 Aug 2026 13:57:20.000 * Starting BGSAVE for SYNC with target: disk
                1:M 18 Aug 2026 13:58:00.000 * Background saving terminated with success
                1:M 18 Aug 2026 13:58:20.000 * Synchronization with replica 10.0.0.2:6379 succeeded
                2:S 18 Aug 2026 13:58:20.000 * MASTER <-> REPLICA sync: Flushing old data
                2:S 18 Aug 2026 13:59:00.000 * MASTER <-> REPLICA sync: Finished with success
                1:M 18 Aug 2026 13:59:30.000 * Unable to partial resync with replica 10.0.0.2:6379 for lack of backlog (Replica request was: 5).
                """))
                .info(liveInfo(
                        "role:master\nmaster_repl_offset:1000000000\nrdb_last_bgsave_time_sec:40\nrepl_backlog_size:1048576\nredis_version:7.0.15\n",
                        T0 - 60_000))
                .info(liveInfo(
                        "role:master\nmaster_repl_offset:1600000000\nrdb_last_bgsave_time_sec:40\nrepl_backlog_size:1048576\nredis_version:7.0.15\n",
                        T0))
                .build(T0);
        Finding f = finding(h, "backlog_too_small");
        assertTrue(
                f.evidence().stream()
                        .anyMatch(
                                e -> e.startsWith("write rate W = 9.54 MiB/s (Δmaster_repl_offset over 60 s of INFO)")),
                String.join("\n", f.evidence()));
        assertTrue(f.evidence().contains("sync window T = 100.0 s"), String.join("\n", f.evidence()));
        assertTrue(f.advice().contains("CONFIG SET repl-backlog-size 2gb"), f.advice());
        // Same numbers, a backlog already big enough, no refusal: nothing to say.
        InstanceView big = history()
                .info(liveInfo(
                        "role:master\nmaster_repl_offset:1000000000\nrdb_last_bgsave_time_sec:40\nrepl_backlog_size:4294967296\n",
                        T0 - 60_000))
                .info(liveInfo(
                        "role:master\nmaster_repl_offset:1600000000\nrdb_last_bgsave_time_sec:40\nrepl_backlog_size:4294967296\n",
                        T0))
                .build(T0);
        assertFalse(ruleIds(big).contains("backlog_too_small"));
    }

    @Test
    void outputBufferKillOfAPubsubClientIsNotAReplicaProblem() {
        InstanceView h = history(log(
                        "1:M 18 Aug 2026 13:00:00.000 # Client id=9 addr=10.0.0.9:5000 fd=8 name= age=10 idle=0 flags=P db=0 "
                                + "sub=1 psub=0 multi=-1 qbuf=0 qbuf-free=0 obl=0 oll=900 omem=40000000 events=rw cmd=subscribe scheduled to be closed ASAP "
                                + "for overcoming of output buffer limits.\n"))
                .buildAtNewestFact();
        assertEquals(Set.of("output_buffer_limit_kill"), ruleIds(h));
        Finding f = finding(h, "output_buffer_limit_kill");
        assertTrue(f.summary().contains("pubsub"), f.summary());
        assertTrue(f.advice().contains("\"pubsub 128mb 64mb 60\""), f.advice());
    }

    @Test
    void replicaLoadingFromPingInfoOrAnUnfinishedLoad() {
        InstanceView ping = history()
                .ping(ping(T0, PingResult.Outcome.ERROR_REPLY, "LOADING Redis is loading the dataset in memory"))
                .build(T0);
        assertTrue(ruleIds(ping).containsAll(Set.of("replica_loading", "ping_failed")));
        InstanceView info = history()
                .info(liveInfo("role:slave\nloading:1\nloading_loaded_perc:42.00\n", T0))
                .build(T0);
        assertTrue(finding(info, "replica_loading").evidence().get(0).contains("loaded 42.00%"));
        InstanceView masterStarting =
                history().info(liveInfo("role:master\nloading:1\n", T0)).build(T0);
        assertFalse(
                ruleIds(masterStarting).contains("replica_loading"), "a master loading its own RDB is not a replica");
        String unfinished =
                ONE_SYNC_AFTER_RESTART.substring(0, ONE_SYNC_AFTER_RESTART.indexOf("17859:S 18 Aug 11:28:27.393"));
        assertTrue(ruleIds(history(log(unfinished)).buildAtNewestFact()).contains("replica_loading"));
    }

    @Test
    void replLinkDownLongerThanAMinute() {
        assertTrue(ruleIds(history()
                        .info(liveInfo("role:slave\nmaster_link_status:down\nmaster_link_down_since_seconds:300\n", T0))
                        .build(T0))
                .contains("repl_link_down"));
        assertFalse(ruleIds(history()
                        .info(liveInfo("role:slave\nmaster_link_status:down\nmaster_link_down_since_seconds:20\n", T0))
                        .build(T0))
                .contains("repl_link_down"));
        assertFalse(ruleIds(history()
                        .info(liveInfo("role:slave\nmaster_link_status:up\n", T0))
                        .build(T0))
                .contains("repl_link_down"));
        // From the log: lost, and no sync finished for two minutes.
        InstanceView lost = history(log("""
                17859:S 18 Aug 12:51:54.051 # Connection with master lost.
                17859:S 18 Aug 12:53:54.657 * Connecting to MASTER 10.242.73.46:6666
                """)).buildAtNewestFact();
        assertTrue(
                finding(lost, "repl_link_down").summary().contains("no working link to its master for 120 s"),
                finding(lost, "repl_link_down").summary());
    }

    @Test
    void syncStuckTooLongOrNegativeLeftBytes() {
        InstanceView stuck = history()
                .info(liveInfo(
                        "role:slave\nmaster_sync_in_progress:1\nmaster_sync_left_bytes:1000\n", T0 - 15 * 60_000))
                .info(liveInfo("role:slave\nmaster_sync_in_progress:1\nmaster_sync_left_bytes:900\n", T0))
                .build(T0);
        assertTrue(finding(stuck, "diskless_sync_stuck").summary().contains("900 s"));
        InstanceView moving = history()
                .info(liveInfo("role:slave\nmaster_sync_in_progress:1\nmaster_sync_left_bytes:1000\n", T0 - 60_000))
                .info(liveInfo("role:slave\nmaster_sync_in_progress:1\nmaster_sync_left_bytes:900\n", T0))
                .build(T0);
        assertFalse(ruleIds(moving).contains("diskless_sync_stuck"));
    }
}
