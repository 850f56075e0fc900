package io.redwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.common.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data path on real parts: a redis-server, an agent watching it and its log, a collector,
 * and PostgreSQL. Everything the agent reads must land in the operator's views, exactly once, also
 * when the collector restarts under the agent.
 */
class PipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static FreshDatabase db;
    static RedisServerProcess redis;
    static Collector collector;
    static Agent agent;
    static CollectorConfig collectorConfig;
    static String instance;

    @TempDir
    static Path state;

    @BeforeAll
    static void start() throws Exception {
        db = FreshDatabase.reserve("pipeline_it"); // the collector creates it, as on a fresh install
        redis = RedisServerProcess.start("--save", "", "--maxmemory", "100mb");
        collectorConfig = CollectorConfig.load(
                null, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null));
        collector = new Collector(collectorConfig);
        collector.start();
        String hostname = "it-host";
        RedisTarget target = RedisTarget.of(
                "redis://127.0.0.1:" + redis.port(),
                "",
                hostname,
                "",
                Secret.none(),
                redis.logFile(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                "redis[0]");
        instance = target.instance();
        AgentConfig cfg = new AgentConfig(
                        "it-agent",
                        hostname,
                        "127.0.0.1:" + collector.grpcPort(),
                        Secret.none(),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(200),
                        state,
                        Path.of("/proc"),
                        Path.of("/sys"),
                        List.of(target))
                .validate();
        agent = new Agent(cfg, "it", new Shipper.Settings(500, 1 << 20, 8, 100, 1000, 10_000, 100));
        agent.start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (collector != null) collector.close();
        if (redis != null) redis.close();
        if (db != null) db.close();
    }

    @Test
    void everythingTheAgentReadsLandsInEveryViewExactlyOnce() throws Exception {
        redis.callUnchecked("SET", "k", "v");
        redis.callUnchecked("BGSAVE");
        Await.until(
                "the BGSAVE's log lines stored",
                WAIT,
                () -> count(
                                "select count(*) from redwatch_log_events where instance = ? and message like 'Background saving terminated%'")
                        >= 1);

        Await.until("INFO samples", WAIT, () -> count("select count(*) from redwatch_info where instance = ?") >= 3);
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            ResultSet r = s.executeQuery("select instance, host, port, role, redis_version from redwatch_instances");
            assertTrue(r.next(), "the instance is listed");
            assertEquals(instance, r.getString("instance"));
            assertEquals("it-host", r.getString("host"));
            assertEquals(redis.port(), r.getInt("port"));
            assertEquals("master", r.getString("role"));
            assertTrue(r.getString("redis_version").matches("\\d+\\.\\d+\\.\\d+"), r.getString("redis_version"));

            r = s.executeQuery(
                    "select maxmemory, used_memory, loading, info->>'tcp_port' as port, info->>'maxmemory_policy' as policy,"
                            + " rdb_last_bgsave_status from redwatch_info order by ts desc limit 1");
            assertTrue(r.next());
            assertEquals(100L * 1024 * 1024, r.getLong("maxmemory"));
            assertTrue(r.getLong("used_memory") > 0);
            assertEquals(String.valueOf(redis.port()), r.getString("port"), "every INFO field is in the info jsonb");
            assertEquals("noeviction", r.getString("policy"));
            assertEquals("ok", r.getString("rdb_last_bgsave_status"));

            r = s.executeQuery("select reply, latency_ms from redwatch_pings order by ts desc limit 1");
            assertTrue(r.next());
            assertEquals("PONG", r.getString("reply"));

            Await.until(
                    "CONFIG values",
                    WAIT,
                    () -> count(
                                    "select count(*) from redwatch_config where instance = ? and config->>'maxmemory' = '104857600'")
                            >= 1);

            r = s.executeQuery(
                    "select mem_total, overcommit_memory, somaxconn, thp from redwatch_host_facts order by ts desc limit 1");
            assertTrue(r.next());
            assertEquals(memTotalBytes(), r.getLong("mem_total"));
            assertEquals(catInt("/proc/sys/vm/overcommit_memory"), r.getInt("overcommit_memory"));
            assertEquals(catInt("/proc/sys/net/core/somaxconn"), r.getInt("somaxconn"));

            r = s.executeQuery(
                    "select pid, fd_total, fd_sockets, fd_limit from redwatch_process_facts order by ts desc limit 1");
            assertTrue(r.next());
            assertEquals(redis.pid(), r.getLong("pid"));
            assertTrue(r.getInt("fd_sockets") >= 2, "listening socket and the agent's connection");
            assertTrue(r.getLong("fd_limit") > 0);
        }
        assertLogStoredExactlyOnce();

        // The collector goes away and comes back on the same port; the agent resends what was not
        // acknowledged, and nothing is stored twice.
        int port = collector.grpcPort();
        collector.close();
        redis.callUnchecked("SET", "k2", "v2");
        redis.callUnchecked("BGSAVE");
        Thread.sleep(1500);
        collector = new Collector(collectorConfig.withEndpoints(port, 0, db.url()));
        collector.start();
        Await.until(
                "log lines written while the collector was down",
                WAIT,
                () -> count(
                                "select count(*) from redwatch_log_events where instance = ? and message like 'Background saving terminated%'")
                        >= 2);
        assertLogStoredExactlyOnce();
        assertEquals(
                0,
                count(
                        "select count(*) from (select ts from redwatch_info where instance = ? group by ts having count(*) > 1) d"),
                "no INFO sample stored twice");
        assertEquals(
                0,
                count(
                        "select count(*) from (select ts from redwatch_pings where instance = ? group by ts having count(*) > 1) d"),
                "no PING stored twice");
    }

    /** Every line of the real log file is one row, in order, none twice. */
    private void assertLogStoredExactlyOnce() throws Exception {
        Await.until(
                "the whole log file shipped",
                WAIT,
                () -> count("select count(*) from redwatch_log_events where instance = ?")
                        == Files.readAllLines(redis.logFile(), StandardCharsets.UTF_8)
                                .size());
        List<String> lines = Files.readAllLines(redis.logFile(), StandardCharsets.UTF_8);
        try (Connection c = db.connect();
                var ps = c.prepareStatement(
                        "select raw from redwatch_log_events where instance = ? order by file_offset")) {
            ps.setString(1, instance);
            ResultSet r = ps.executeQuery();
            for (String line : lines) {
                assertTrue(r.next(), "line missing: " + line);
                assertEquals(line, r.getString(1));
            }
        }
    }

    /** By cat: the JDK's Files.readString reads a procfs sysctl one byte at a time ("4" for 4096). */
    private static int catInt(String file) throws Exception {
        Process p = new ProcessBuilder("cat", file).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.waitFor(), "cat " + file);
        return Integer.parseInt(out);
    }

    private static long memTotalBytes() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
        }
        throw new AssertionError("no MemTotal");
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = db.connect();
                var ps = c.prepareStatement(sql)) {
            if (sql.contains("?")) ps.setString(1, instance);
            ResultSet r = ps.executeQuery();
            r.next();
            return r.getLong(1);
        }
    }
}
