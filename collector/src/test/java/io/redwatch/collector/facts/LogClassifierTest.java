package io.redwatch.collector.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.agent.tailing.LogLineParser;
import io.redwatch.proto.v1.LogEvent;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real lines: from the seeds (Redis 2.8 to 3.x), from redis-server 7.0.15 and from public issues (2.6 to 7.x), each with the kind it must get. */
class LogClassifierTest {
    private static final LogLineParser PARSER = new LogLineParser(ZoneOffset.UTC);
    private static final long READ_AT =
            java.time.Instant.parse("2026-11-21T00:00:00Z").toEpochMilli();

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        fork_failed                | [55231] 11 Aug 10:43:12.034 # Can't save in background: fork: Cannot allocate memory
        fork_failed                | 1838:M 15 Aug 13:52:01.101 # Can't rewrite append only file in background: fork: Cannot allocate memory
        save_triggered             | [23635] 25 Jul 08:30:54.059 * 10000 changes in 60 seconds. Saving...
        save_triggered             | [55231] 11 Aug 10:43:18.043 * 100 changes in 3600 seconds. Saving...
        bgsave_error               | 7:M 21 Nov 2026 05:59:01.001 # Failed opening the RDB file dump.rdb (in server root dir /data) for saving: No such file or directory
        bgsave_error               | [123] 01 Jan 10:00:00.000 # Failed opening .rdb for saving: Permission denied
        bgsave_error               | 7:M 21 Nov 2026 05:59:01.001 # Background saving error
        bgsave_error               | 7:C 21 Nov 2026 05:59:01.001 # Write error saving DB on disk: No space left on device
        bgsave_error               | 7:M 21 Nov 2026 05:59:01.001 # Background saving terminated by signal 9
        bgsave_aborted             | 7:M 21 Nov 2026 05:59:01.001 # Background saving terminated by signal 10
        bgsave_aborted             | 7:M 21 Nov 2026 05:59:01.001 # Background transfer terminated by signal 10
        sync_aborted               | 7:M 21 Nov 2026 05:59:01.001 # Background transfer error
        sync_aborted               | 7:M 21 Nov 2026 05:59:01.001 # Background transfer terminated by signal 9
        sync_aborted               | 32555:M 18 Apr 2021 01:46:04.592 # Diskless rdb transfer, last replica dropped, killing fork child.
        sync_aborted               | 2445:M 03 Aug 14:02:28.808 # SYNC failed. BGSAVE child returned an error
        sync_load_failed           | 8:S 18 Oct 2021 16:49:21.572 # Failed trying to load the MASTER synchronization DB from disk
        sync_requested             | [6027] 22 Jan 04:10:16.688 * Slave ask for synchronization
        master_link_lost           | 1:S 11 Jan 2023 00:49:34.722 # Unable to connect to MASTER: Invalid argument
        bgsave_started             | 12345:M 18 Aug 11:26:53.523 * Background saving started by pid 17147
        bgsave_started             | 2251:M 06 Mar 15:35:40.469 * Background RDB transfer started by pid 3351
        bgsave_ok                  | 12345:M 18 Aug 11:27:38.686 * Background saving terminated with success
        bgsave_ok                  | 2251:M 06 Mar 15:37:03.473 * Background RDB transfer terminated with success
        db_saved                   | 17147:C 18 Aug 11:27:38.393 * DB saved on disk
        copy_on_write              | 15986:C 18 Aug 12:52:39.201 * RDB: 474 MB of memory used by copy-on-write
        copy_on_write              | 5411:C 21 Nov 2026 05:58:53.501 * Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB
        output_buffer_limit_kill   | 12345:M 18 Aug 12:52:56.304 # Client id=17 addr=10.242.117.36:46501 fd=5 name= age=62 idle=62 flags=S db=0 sub=0 psub=0 multi=-1 qbuf=0 qbuf-free=0 obl=15882 oll=7597 omem=131532334 events=rw cmd=psync scheduled to be closed ASAP for overcoming of output buffer limits.
        partial_resync_refused     | 12345:M 18 Aug 12:51:54.700 * Unable to partial resync with slave 10.242.117.36:6666 for lack of backlog (Slave request was: 1688184130).
        partial_resync_refused     | 5384:M 21 Nov 2026 05:58:53.493 * Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '67f78a0c', my replication IDs are 'b81db7d4' and '0000')
        full_resync                | 17859:S 18 Aug 12:51:54.658 * Full resync from master: 91fa2b65639c2ce2caf88d279aba53e8c4ad3a22:1934263988
        full_resync                | 12345:M 18 Aug 11:26:53.366 * Full resync requested by slave 10.242.117.36:6666
        full_resync                | 5384:M 21 Nov 2026 05:58:51.419 * Full resync requested by replica 127.0.0.1:27802
        full_resync                | 12345:M 18 Aug 11:26:53.366 * Starting BGSAVE for SYNC with target: disk
        full_resync                | 2251:M 06 Mar 15:35:40.203 * Starting BGSAVE for SYNC with target: slaves sockets
        full_resync                | 5384:M 21 Nov 2026 05:58:56.861 * Starting BGSAVE for SYNC with target: replicas sockets
        sync_requested             | 2251:M 06 Mar 15:30:15.999 * Slave 192.168.10.82:6379 asks for synchronization
        sync_requested             | 5384:M 21 Nov 2026 05:58:51.419 * Replica 127.0.0.1:27802 asks for synchronization
        sync_loading               | 17859:S 18 Aug 11:27:38.686 * MASTER <-> SLAVE sync: receiving 2550593979 bytes from master
        sync_loading               | 17859:S 18 Aug 11:27:59.262 * MASTER <-> SLAVE sync: Flushing old data
        sync_loading               | 17859:S 18 Aug 11:28:05.517 * MASTER <-> SLAVE sync: Loading DB in memory
        sync_loading               | 5390:S 21 Nov 2026 05:58:56.865 * MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk
        sync_loading               | 5390:S 21 Nov 2026 05:58:53.523 * MASTER <-> REPLICA sync: Loading DB in memory
        sync_finished              | 17859:S 18 Aug 11:28:27.393 * MASTER <-> SLAVE sync: Finished with success
        sync_finished              | 5390:S 21 Nov 2026 05:58:53.524 * MASTER <-> REPLICA sync: Finished with success
        replica_sync_sent          | 12345:M 18 Aug 11:27:58.746 * Synchronization with slave 10.242.117.36:6666 succeeded
        replica_sync_sent          | 5384:M 21 Nov 2026 05:58:53.523 * Synchronization with replica 127.0.0.1:27802 succeeded
        master_link_lost           | 17859:S 18 Aug 12:51:54.051 # Connection with master lost.
        master_link_lost           | 17859:S 18 Aug 12:52:56.391 # I/O error trying to sync with MASTER: connection lost
        replica_link_lost          | 12345:M 18 Aug 12:51:54.081 # Connection with slave 10.242.117.36:6666 lost.
        replica_link_lost          | 5384:M 21 Nov 2026 05:58:53.478 # Connection with replica 127.0.0.1:27802 lost.
        aof_pipe_error             | 1838:M 16 Aug 01:07:39.319 # Error opening /setting AOF rewrite IPC pipes: Numerical result out of range
        aof_rewrite_started        | 1838:M 16 Aug 01:07:39.319 * Starting automatic rewriting of AOF on 110% growth
        aof_rewrite_ok             | 5384:M 21 Nov 2026 05:59:00.957 * Background AOF rewrite finished successfully
        aof_rewrite_error          | 7:M 21 Nov 2026 05:59:01.001 # Background AOF rewrite terminated with error
        fd_registration_error      | 1838:M 16 Aug 01:07:39.441 # Error registering fd event for the new client: Numerical result out of range (fd=10311)
        aof_fsync_slow             | 7:M 21 Nov 2026 05:59:01.001 * Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.
        startup_warning_overcommit | 17859:S 18 Aug 11:26:16.363 # WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.
        startup_warning_overcommit | 5384:M 21 Nov 2026 05:58:51.405 # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition.
        startup_warning_thp        | 1:M 21 Nov 2026 05:30:34.123 # WARNING you have Transparent Huge Pages (THP) support enabled in your kernel. This will create latency and memory usage issues with Redis.
        startup_warning_somaxconn  | 1:M 21 Nov 2026 05:30:34.123 # WARNING: The TCP backlog setting of 511 cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of 128.
        server_started             | 17859:S 18 Aug 11:26:16.363 # Server started, Redis version 3.0.0
        server_started             | 5384:C 21 Nov 2026 05:58:51.404 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=5384, just started
        oom                        | (error) OOM command not allowed when used memory > 'maxmemory'.
        misconf                    | (error) MISCONF Redis is configured to save RDB snapshots, but is currently not able to persist on disk.
        loading_reply              | LOADING Redis is loading the dataset in memory
        other                      | 17859:S 18 Aug 11:26:53.364 * Non blocking connect for SYNC fired the event.
        other                      | 	com.baidu.global.mobile.server.guanxing.facade.MessageTaskFacade.pushNotify(MessageTaskFacade.java:983) at
        """)
    void classifiesRealLines(String kind, String line) {
        LogEvent parsed = PARSER.parse(line, READ_AT).build();
        assertEquals(kind, LogClassifier.kind(parsed).id(), line);
        // The same text as an unparsed line (wrapped, cut, pasted): judged by its text alone.
        LogEvent raw = LogEvent.newBuilder()
                .setRaw("garbage prefix | " + line)
                .setMessage("garbage prefix | " + line)
                .setParsed(false)
                .build();
        assertEquals(kind, LogClassifier.kind(raw).id(), "unparsed: " + line);
    }
}
