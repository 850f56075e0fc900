package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Replication judged by mechanism: a sync that can never complete is a loop from its first cycle;
 * a link down and a replica loading are shown by the log alone. And the negatives that keep it honest.
 */
class SyncMechanismRulesTest {
    /** Redis 7: the replica is closed for its output buffer while it still has PSYNC as last command (no ACK yet). */
    private static final String KILLED_IN_SYNC = """
            1:M 21 Nov 2026 05:30:00.001 * Replica 10.0.0.2:6379 asks for synchronization
            1:M 21 Nov 2026 05:30:00.001 * Full resync requested by replica 10.0.0.2:6379
            1:M 21 Nov 2026 05:30:00.002 * Starting BGSAVE for SYNC with target: disk
            1:M 21 Nov 2026 05:30:00.010 * Background saving started by pid 120
            120:C 21 Nov 2026 05:30:40.000 * DB saved on disk
            1:M 21 Nov 2026 05:30:40.100 * Background saving terminated with success
            1:M 21 Nov 2026 05:31:20.500 # Client id=31 addr=10.0.0.2:51234 laddr=10.0.0.1:6379 fd=12 name= age=80 idle=80 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=4000 omem=270000000 tot-mem=270010000 events=rw cmd=psync user=default redir=-1 resp=2 scheduled to be closed ASAP for overcoming of output buffer limits.
            1:M 21 Nov 2026 05:31:20.501 # Connection with replica 10.0.0.2:6379 lost.
            """;

    @Test
    void aReplicaDroppedForItsBufferDuringItsFullSyncIsALoopFromTheFirstCycle() {
        InstanceView h = history(log(KILLED_IN_SYNC)).buildAtNewestFact();
        assertTrue(
                ruleIds(h).containsAll(Set.of("full_resync_loop", "output_buffer_limit_kill")),
                ruleIds(h).toString());
        Finding loop = finding(h, "full_resync_loop");
        assertTrue(loop.summary().contains("cannot complete a full sync of replica 10.0.0.2"), loop.summary());
        assertTrue(loop.summary().contains("still in PSYNC"), loop.summary());
        assertTrue(loop.advice().contains("client-output-buffer-limit"), loop.advice());

        // Then the next partial resync is refused for lack of backlog: still the one loop.
        InstanceView refused = history(log(KILLED_IN_SYNC + """
                1:M 21 Nov 2026 05:31:21.600 * Replica 10.0.0.2:6379 asks for synchronization
                1:M 21 Nov 2026 05:31:21.600 * Unable to partial resync with replica 10.0.0.2:6379 for lack of backlog (Replica request was: 1500).
                """)).buildAtNewestFact();
        assertTrue(ruleIds(refused).contains("full_resync_loop"));
        assertTrue(finding(refused, "full_resync_loop").evidence().stream()
                .anyMatch(e -> e.contains("for lack of backlog")));
    }

    @Test
    void aReplicaDroppedOnceInSteadyStateIsNoLoop() {
        // cmd=replconf: the replica had its data and was acknowledging offsets (redis#14100).
        InstanceView h = history(
                        log(KILLED_IN_SYNC.replace("cmd=psync", "cmd=replconf").replace("age=80", "age=28579")))
                .buildAtNewestFact();
        assertTrue(ruleIds(h).contains("output_buffer_limit_kill"));
        assertFalse(ruleIds(h).contains("full_resync_loop"), ruleIds(h).toString());
    }

    private static final String DISKLESS_ABORTED = """
            1:M 21 Nov 2026 05:30:00.001 * Replica 10.0.0.2:6379 asks for synchronization
            1:M 21 Nov 2026 05:30:00.001 * Full resync requested by replica 10.0.0.2:6379
            1:M 21 Nov 2026 05:30:05.002 * Starting BGSAVE for SYNC with target: replicas sockets
            1:M 21 Nov 2026 05:30:05.010 * Background RDB transfer started by pid 120
            1:M 21 Nov 2026 05:31:10.500 # Connection with replica 10.0.0.2:6379 lost.
            1:M 21 Nov 2026 05:31:10.501 # Diskless rdb transfer, last replica dropped, killing fork child.
            1:M 21 Nov 2026 05:31:10.600 # Background transfer terminated by signal 10
            """;

    @Test
    void aDisklessTransferAbortedAndStartedAgainIsALoop() {
        InstanceView again = history(log(DISKLESS_ABORTED + """
                1:M 21 Nov 2026 05:31:11.700 * Replica 10.0.0.2:6379 asks for synchronization
                1:M 21 Nov 2026 05:31:11.700 * Full resync requested by replica 10.0.0.2:6379
                1:M 21 Nov 2026 05:31:16.701 * Starting BGSAVE for SYNC with target: replicas sockets
                """)).buildAtNewestFact();
        assertTrue(ruleIds(again).contains("full_resync_loop"), ruleIds(again).toString());
        assertTrue(
                finding(again, "full_resync_loop").summary().contains("its link broke during its full sync"),
                finding(again, "full_resync_loop").summary());
        // Aborted once and never asked again (the replica was stopped): no loop shown.
        assertFalse(ruleIds(history(log(DISKLESS_ABORTED)).buildAtNewestFact()).contains("full_resync_loop"));
    }

    @Test
    void aSyncThatFailsBecauseTheDiskSaveFailsIsTheSaveNotALoop() {
        InstanceView h = history(log("""
                2445:M 03 Aug 14:02:28.775 * Slave 192.168.2.124:7000 asks for synchronization
                2445:M 03 Aug 14:02:28.775 * Full resync requested by slave 192.168.2.124:7000
                2445:M 03 Aug 14:02:28.775 * Starting BGSAVE for SYNC with target: disk
                2684:C 03 Aug 14:02:28.741 # Failed opening the RDB file dump.rdb (in server root dir /var/lib/redis) for saving: Permission denied
                2445:M 03 Aug 14:02:28.808 # Background saving error
                2445:M 03 Aug 14:02:28.808 # SYNC failed. BGSAVE child returned an error
                2445:M 03 Aug 14:02:29.808 * Slave 192.168.2.124:7000 asks for synchronization
                2445:M 03 Aug 14:02:29.808 * Full resync requested by slave 192.168.2.124:7000
                """)).buildAtNewestFact();
        assertTrue(ruleIds(h).contains("bgsave_failing"));
        assertFalse(ruleIds(h).contains("full_resync_loop"), ruleIds(h).toString());
    }

    @Test
    void aReplicaThatCannotLoadWhatItReceivesLoopsAndItsTransferBreakingAndRestartingToo() {
        InstanceView load = history(log("""
                8:S 18 Oct 2021 16:49:21.572 # Failed trying to load the MASTER synchronization DB from disk
                8:S 18 Oct 2021 16:49:26.594 # Failed trying to load the MASTER synchronization DB from disk
                """)).buildAtNewestFact();
        assertEquals(Set.of("full_resync_loop"), ruleIds(load));
        assertTrue(finding(load, "full_resync_loop").summary().contains("cannot complete a full sync from its master"));

        InstanceView broken = history(log("""
                1:S 21 Nov 2026 05:30:00.001 * Full resync from master: 2d3f6c1e1b7a4f0e9c8d7b6a5f4e3d2c1b0a9f8e:100
                1:S 21 Nov 2026 05:30:40.001 * MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk
                1:S 21 Nov 2026 05:31:10.001 # I/O error trying to sync with MASTER: connection lost
                1:S 21 Nov 2026 05:31:11.001 * Connecting to MASTER 10.0.0.1:6379
                1:S 21 Nov 2026 05:31:11.101 * Full resync from master: 2d3f6c1e1b7a4f0e9c8d7b6a5f4e3d2c1b0a9f8e:900
                """)).buildAtNewestFact();
        assertTrue(ruleIds(broken).contains("full_resync_loop"), ruleIds(broken).toString());
    }

    @Test
    void negativesOneLoadAfterARestartAndAnAcceptedPartialResync() {
        String oneSync = """
                17859:S 18 Aug 11:26:16.363 # Server started, Redis version 3.0.0
                17859:S 18 Aug 11:26:53.364 * Connecting to MASTER 10.242.73.46:6666
                17859:S 18 Aug 11:26:53.365 * Full resync from master: 91fa2b65639c2ce2caf88d279aba53e8c4ad3a22:1
                17859:S 18 Aug 11:27:38.686 * MASTER <-> SLAVE sync: receiving 2550593979 bytes from master
                17859:S 18 Aug 11:27:59.262 * MASTER <-> SLAVE sync: Flushing old data
                17859:S 18 Aug 11:28:05.517 * MASTER <-> SLAVE sync: Loading DB in memory
                17859:S 18 Aug 11:28:27.393 * MASTER <-> SLAVE sync: Finished with success
                """;
        assertEquals(
                Set.of(),
                ruleIds(history(log(oneSync)).buildAtNewestFact()),
                "one load after a restart is how a replica starts");
        InstanceView partial = history(log(oneSync + """
                17859:S 18 Aug 12:51:54.051 # Connection with master lost.
                17859:S 18 Aug 12:51:54.657 * Connecting to MASTER 10.242.73.46:6666
                17859:S 18 Aug 12:51:54.658 * Trying a partial resynchronization (request 91fa2b65639c2ce2caf88d279aba53e8c4ad3a22:1688184130).
                17859:S 18 Aug 12:51:54.659 * Successful partial resynchronization with master.
                17859:S 18 Aug 12:53:54.659 * 1 changes in 3600 seconds. Saving...
                """)).buildAtNewestFact();
        assertFalse(ruleIds(partial).contains("full_resync_loop"));
        assertFalse(ruleIds(partial).contains("repl_link_down"));
        assertFalse(ruleIds(partial).contains("replica_loading"));
    }

    @Test
    void aLinkDownShownByTheLogAloneAfterAMinute() {
        String refused = """
                1:S 14 Jul 2025 10:34:11.787 * Connecting to MASTER 121.204.162.239:27902
                1:S 14 Jul 2025 10:34:11.787 * MASTER <-> REPLICA sync started
                1:S 14 Jul 2025 10:34:11.993 # Error condition on socket for SYNC: Connection refused
                1:S 14 Jul 2025 10:34:12.790 * Connecting to MASTER 121.204.162.239:27902
                1:S 14 Jul 2025 10:34:13.004 # Error condition on socket for SYNC: Connection refused
                """;
        assertFalse(
                ruleIds(history(log(refused)).buildAtNewestFact()).contains("repl_link_down"), "two seconds is a blip");
        InstanceView longer = history(log(refused + """
                1:S 14 Jul 2025 10:35:40.001 * Connecting to MASTER 121.204.162.239:27902
                1:S 14 Jul 2025 10:35:40.210 # Error condition on socket for SYNC: Connection refused
                """)).buildAtNewestFact();
        Finding down = finding(longer, "repl_link_down");
        assertTrue(
                down.summary().contains("no working link to its master for 88 s (since 10:34, 3 failures)"),
                down.summary());
    }

    @Test
    void aReplicaLoadingShownByItsLogWhilePingWasNotSampled() {
        String loading = """
                17859:S 18 Aug 13:52:28.575 * Full resync from master: 91fa2b65639c2ce2caf88d279aba53e8c4ad3a22:3994311298
                17859:S 18 Aug 13:53:13.042 * MASTER <-> SLAVE sync: receiving 2550551123 bytes from master
                17859:S 18 Aug 13:53:33.314 * MASTER <-> SLAVE sync: Flushing old data
                17859:S 18 Aug 13:53:41.168 * MASTER <-> SLAVE sync: Loading DB in memory
                """;
        long loadStarted = ts("2026-08-18T13:53:41.168Z");
        InstanceView live = history(log(loading)).currentOnly(true).build(loadStarted + 10_000);
        assertTrue(ruleIds(live).contains("replica_loading"), ruleIds(live).toString());
        // A PONG after the load started says it is over.
        InstanceView answered = history(log(loading))
                .currentOnly(true)
                .ping(ping(loadStarted + 5_000, PingResult.Outcome.PONG, "PONG"))
                .build(loadStarted + 10_000);
        assertFalse(ruleIds(answered).contains("replica_loading"));
    }

    @Test
    void reloadsTooShortForAnyClientToMeetAreNotReported() {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            String mm = String.format("%02d", 10 + i);
            log.append("1:S 21 Nov 2026 05:")
                    .append(mm)
                    .append(":00.001 * Full resync from master: 2d3f6c1e1b7a4f0e9c8d7b6a5f4e3d2c1b0a9f8e:")
                    .append(i)
                    .append('\n')
                    .append("1:S 21 Nov 2026 05:")
                    .append(mm)
                    .append(":01.001 * MASTER <-> REPLICA sync: Flushing old data\n")
                    .append("1:S 21 Nov 2026 05:")
                    .append(mm)
                    .append(":01.002 * MASTER <-> REPLICA sync: Loading DB in memory\n")
                    .append("1:S 21 Nov 2026 05:")
                    .append(mm)
                    .append(":01.090 * MASTER <-> REPLICA sync: Finished with success\n");
        }
        InstanceView h = history(log(log.toString())).buildAtNewestFact();
        assertTrue(ruleIds(h).contains("full_resync_loop"), ruleIds(h).toString());
        assertFalse(ruleIds(h).contains("replica_loading"), "89 ms loads: " + ruleIds(h));
    }
}
