package io.redwatch.collector.rules;

import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.agent.tailing.LogLineParser;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.facts.LogClassifier;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.LogEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real redis-server logs: a master that keeps dropping its replica for a full output buffer, and a
 * BGSAVE into a directory that is gone. The classifier must know every line the rules rely on, in
 * the wording of the installed Redis, and the diagnosis must name the causes the servers show.
 */
class RealRedisDiagnosisIT {
    @TempDir
    Path tmp;

    @Test
    void replicaDroppedForItsOutputBufferResyncsInFullAgainAndAgain() throws Exception {
        try (RedisServerProcess master = RedisServerProcess.start(
                        "--client-output-buffer-limit", "replica 1mb 256kb 1", "--repl-diskless-sync", "no");
                RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", "0")) {
            master.call("EVAL", "for i=1,20000 do redis.call('set','k:'..i, string.rep('v', 100)) end", "0");
            replica.call("REPLICAOF", "127.0.0.1", Integer.toString(master.port()));
            replica.awaitLog("sync: Finished with success", Duration.ofSeconds(20));
            for (int round = 1; round <= 2; round++) {
                signal(replica.pid(), "STOP"); // a replica that stops reading: its output buffer on the master fills
                try {
                    for (int i = 0; i < 20; i++) {
                        master.call(
                                "EVAL",
                                "for i=1,2000 do redis.call('set','r" + round + ":'..i, string.rep('x', 200)) end",
                                "0");
                    }
                    master.awaitLog("for overcoming of output buffer limits", Duration.ofSeconds(20));
                } finally {
                    signal(replica.pid(), "CONT");
                }
                int finished = round + 1;
                awaitCount(replica, "sync: Finished with success", finished);
            }
            List<LogEvent> masterLog = parse(master.log(), "m");
            List<LogEvent> replicaLog = parse(replica.log(), "r");
            EnumSet<LogKind> seen = EnumSet.noneOf(LogKind.class);
            for (LogEvent e : masterLog) seen.add(LogClassifier.kind(e));
            for (LogEvent e : replicaLog) seen.add(LogClassifier.kind(e));
            assertTrue(
                    seen.containsAll(EnumSet.of(
                            LogKind.OUTPUT_BUFFER_LIMIT_KILL,
                            LogKind.SYNC_REQUESTED,
                            LogKind.FULL_RESYNC,
                            LogKind.REPLICA_LINK_LOST,
                            LogKind.MASTER_LINK_LOST,
                            LogKind.SYNC_LOADING,
                            LogKind.SYNC_FINISHED,
                            LogKind.REPLICA_SYNC_SENT,
                            LogKind.BGSAVE_STARTED,
                            LogKind.BGSAVE_OK,
                            LogKind.SERVER_STARTED)),
                    seen.toString());

            InstanceView.Builder mb =
                    InstanceView.builder(master.address(), "127.0.0.1").zone(ZoneId.systemDefault());
            masterLog.forEach(mb::log);
            mb.info(io.redwatch.agent.sampling.InfoParser.parse(
                    master.call("INFO", "everything"),
                    io.redwatch.proto.v1.InstanceRef.getDefaultInstance(),
                    System.currentTimeMillis(),
                    "everything"));
            InstanceView mh = mb.build(System.currentTimeMillis());
            Set<String> masterRules = Facts.ruleIds(mh);
            assertTrue(
                    masterRules.containsAll(Set.of("full_resync_loop", "output_buffer_limit_kill")),
                    masterRules.toString());
            Finding kill = Facts.finding(mh, "output_buffer_limit_kill");
            assertTrue(
                    kill.evidence().stream()
                            .anyMatch(e -> e.equals("client-output-buffer-limit replica 1mb 256kb 1 (INFO)")
                                    || e.startsWith("client-output-buffer-limit replica")),
                    String.join("\n", kill.evidence()));
            assertTrue(kill.advice().contains("CONFIG SET client-output-buffer-limit \"replica "), kill.advice());

            InstanceView.Builder rb =
                    InstanceView.builder(replica.address(), "127.0.0.1").zone(ZoneId.systemDefault());
            replicaLog.forEach(rb::log);
            Set<String> replicaRules = Facts.ruleIds(rb.build(System.currentTimeMillis()));
            assertTrue(replicaRules.contains("full_resync_loop"), replicaRules.toString());
            assertFalse(replicaRules.contains("replica_loading"), "every load finished: " + replicaRules);
        }
    }

    @Test
    void bgsaveIntoAMissingDirectoryIsBgsaveFailingNotForkEnomem() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", data.toString(), "--save", "3600 1")) {
            Files.delete(data);
            redis.call("SET", "k", "v");
            redis.call("BGSAVE");
            redis.awaitLog("Background saving error", Duration.ofSeconds(20));
            String reply;
            try {
                reply = redis.call("SET", "k2", "v");
            } catch (RedisServerProcess.RedisErrorReply e) {
                reply = e.getMessage();
            }
            assertTrue(reply.startsWith("MISCONF"), reply);
            InstanceView.Builder b =
                    InstanceView.builder(redis.address(), "127.0.0.1").zone(ZoneId.systemDefault());
            parse(redis.log(), "x").forEach(b::log);
            b.info(io.redwatch.agent.sampling.InfoParser.parse(
                    redis.call("INFO", "everything"),
                    io.redwatch.proto.v1.InstanceRef.getDefaultInstance(),
                    System.currentTimeMillis(),
                    "everything"));
            InstanceView h = b.build(System.currentTimeMillis());
            Set<String> rules = Facts.ruleIds(h);
            assertTrue(rules.containsAll(Set.of("bgsave_failing", "misconf_writes_refused")), rules.toString());
            assertFalse(rules.contains("fork_enomem"), rules.toString());
            Finding f = Facts.finding(h, "bgsave_failing");
            // Redis 7 words it "Failed opening the temp RDB file temp-N.rdb (in server root dir unknown)".
            assertTrue(f.summary().contains("Failed opening the"), f.summary());
            assertTrue(f.advice().contains("writable"), f.advice());
        }
    }

    private static List<LogEvent> parse(String text, String name) {
        LogLineParser p = new LogLineParser(ZoneId.systemDefault());
        long now = System.currentTimeMillis();
        return text.lines()
                .filter(l -> !l.isBlank())
                .map(l -> p.parse(l, now).build())
                .toList();
    }

    private static void signal(long pid, String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid))
                .inheritIO()
                .start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "kill -" + sig + " " + pid);
    }

    private static void awaitCount(RedisServerProcess r, String text, int n) {
        Await.until(
                n + " \"" + text + "\" in the log",
                Duration.ofSeconds(30),
                () -> r.log().split(java.util.regex.Pattern.quote(text), -1).length - 1 >= n,
                r::log);
    }
}
