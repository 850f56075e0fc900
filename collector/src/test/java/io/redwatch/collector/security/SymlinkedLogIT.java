package io.redwatch.collector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.LogCapture;
import io.redwatch.common.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack 7 of issue 9, end to end: whoever can write the log directory replaces redis.log by a
 * symlink to a mode-600 file elsewhere. The agent (which may read any file) refuses it, says so
 * once, and nothing of the file reaches PostgreSQL, while the agent goes on shipping samples.
 */
class SymlinkedLogIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aSymlinkedRedisLogShipsNothingOfItsTargetAndIsRefusedOnce() throws Exception {
        Path logDir = Files.createDirectory(dir.resolve("log"));
        Path log = logDir.resolve("redis.log");
        Files.writeString(log, "1:M 29 Nov 2026 10:00:00.000 * the last honest line\n");
        Path secret = Files.createDirectory(dir.resolve("private")).resolve("shadow");
        Files.writeString(secret, "root:SECRET-7f3a:19000:0:99999:7:::\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

        try (FreshDatabase db = FreshDatabase.create("symlinked_log_it");
                RedisServerProcess redis = RedisServerProcess.start("--save", "");
                LogCapture agentLog = new LogCapture("io.redwatch.agent.tailing")) {
            Collector collector = new Collector(CollectorConfig.load(
                    null, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null)));
            collector.start();
            RedisTarget target = RedisTarget.of(
                    "redis://127.0.0.1:" + redis.port(),
                    "",
                    "link-host",
                    "",
                    Secret.none(),
                    log,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    "redis[0]");
            AgentConfig cfg = new AgentConfig(
                            "link-agent",
                            "link-host",
                            "127.0.0.1:" + collector.grpcPort(),
                            Secret.none(),
                            Duration.ofMillis(300),
                            Duration.ofSeconds(1),
                            Duration.ofMillis(100),
                            Files.createDirectory(dir.resolve("state")),
                            Path.of("/proc"),
                            Path.of("/sys"),
                            List.of(target))
                    .validate();
            try (Agent agent = new Agent(cfg, "it", new Shipper.Settings(300, 1 << 20, 8, 100, 1000, 10_000, 100))) {
                agent.start();
                String instance = target.instance();
                Await.until(
                        "the honest line stored",
                        WAIT,
                        () -> count(
                                        db,
                                        "SELECT count(*) FROM redwatch_log_events WHERE instance = ?"
                                                + " AND raw LIKE '%the last honest line%'",
                                        instance)
                                == 1);

                Files.delete(log);
                Files.createSymbolicLink(log, secret);
                Files.writeString(
                        secret, "root:SECRET-7f3a written after the link\n", java.nio.file.StandardOpenOption.APPEND);
                Await.until(
                        "the refusal logged", WAIT, () -> LogCapture.count(agentLog.lines(), "Not reading " + log) > 0);
                // Many more polls of the path (every 100 ms) while samples keep arriving: the refusal holds.
                long infos = count(db, "SELECT count(*) FROM redwatch_info WHERE instance = ?", instance);
                Await.until(
                        "five more INFO samples stored",
                        WAIT,
                        () -> count(db, "SELECT count(*) FROM redwatch_info WHERE instance = ?", instance)
                                >= infos + 5);

                assertEquals(
                        0,
                        count(
                                db,
                                "SELECT count(*) FROM redwatch_log_events WHERE instance = ?"
                                        + " AND (raw LIKE '%SECRET%' OR message LIKE '%SECRET%')",
                                instance),
                        "nothing of the secret file was shipped");
                assertEquals(
                        1,
                        count(db, "SELECT count(*) FROM redwatch_log_events WHERE instance = ?", instance),
                        "only the honest line");
                assertEquals(1, LogCapture.count(agentLog.lines(), "Not reading " + log), agentLog.text());
                assertEquals(
                        1,
                        LogCapture.count(agentLog.lines(), "it is a symbolic link (to " + secret + ")"),
                        agentLog.text());
            } finally {
                collector.close();
            }
        }
    }

    private static long count(FreshDatabase db, String sql, String param) throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
