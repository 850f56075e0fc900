package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.CollectorMainAccess;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent exactly as its systemd unit runs it: the built jar with the unit's JAVA_OPTS (a 32 MB
 * heap, C1 only, only the JDK modules it needs), mutual TLS with an EC key to a collector that
 * requires tokens, a local Redis and its log. A JDK module, class or flag the unit leaves out shows up
 * here as an agent that dies or stores nothing, instead of on an operator's host: a module missing
 * from {@code --limit-modules} fails only when a path first needs it (a TLS key type, resolving the
 * collector's host name, reading the config), and this is the path every agent in production takes.
 */
class UnitFlagsIT extends FaultTest {
    private static final String AGENT = "unit-flags-agent";

    @Test
    void theAgentUnderItsUnitsFlagsShipsEverythingOverMutualTlsWithAToken() throws Exception {
        TestCertificates.create(rig.dir());
        Path collectorYaml = Files.writeString(
                rig.dir().resolve("collector.yaml"),
                "tls: {cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt}\n"
                        + "auth: {agent_tokens: required}\n");
        CollectorProcess collector =
                rig.collector("collector", db.url(), collectorYaml).start();
        Files.writeString(rig.dir().resolve("agent.token"), tokenFor(AGENT) + "\n");
        Path agentYaml = Files.writeString(
                rig.dir().resolve("agent.yaml"),
                String.join(
                        "\n",
                        "# as an operator writes it: comments, quotes, a nested tls section",
                        "collector:",
                        "  token_file: agent.token   # next to this file",
                        "  tls:",
                        "    ca_file: ca.crt",
                        "    server_name: \"" + TestCertificates.SERVER_NAME + "\"",
                        "    cert_file: client.crt",
                        "    key_file: 'client.key'",
                        "spool_max_bytes: 16MB",
                        ""));
        RedisServerProcess redis = rig.redis();
        RedisLog log = RedisLog.appending(rig.dir().resolve("redis.log"));
        List<String> flags = UnitFlags.of("redwatch-agent.service", rig.logDir());
        assertTrue(flags.contains("--limit-modules"), "the unit limits the JDK's modules: " + flags);
        // The collector by host name, as operators write it: the name is resolved under the limited
        // modules too (gRPC's DNS resolver; the certificate is checked against server_name).
        String byName = "localhost:" + collector.agentAddress().substring("127.0.0.1:".length());
        AgentProcess agent = new AgentProcess(
                AGENT,
                byName,
                "redis://127.0.0.1:" + redis.port(),
                log.path(),
                rig.dir().resolve("state"),
                agentYaml,
                rig.logDir(),
                flags);
        rig.closeLater(agent::destroy);
        agent.start();

        int lines = log.append(20);
        String instance = Rig.instanceOf(redis);
        StoredLog stored = new StoredLog(db, instance);
        Await.until(
                "the agent's log lines stored",
                Duration.ofSeconds(60),
                () -> stored.count() >= lines,
                () -> stored.count() + " of " + lines + agent.process().logTail());
        Await.until(
                "INFO samples, PINGs and process facts stored",
                Duration.ofSeconds(60),
                () -> count("redwatch_info", instance) >= 3
                        && count("redwatch_pings", instance) >= 3
                        && count("redwatch_process_facts", instance) >= 1,
                () -> "info " + count("redwatch_info", instance) + ", pings " + count("redwatch_pings", instance)
                        + ", process facts " + count("redwatch_process_facts", instance));
        assertTrue(
                scalar("SELECT count(*) FROM redwatch_process_facts WHERE instance = ? AND fd_total > 0", instance)
                        >= 1,
                "the Redis process's descriptors were counted");

        assertTrue(agent.isAlive(), "the agent runs" + agent.process().logTail());
        String agentLog = agent.process().log();
        for (String bad : List.of(
                "NoClassDefFoundError",
                "ClassNotFoundException",
                "UnsatisfiedLinkError",
                "NoSuchMethodError",
                "SEVERE")) {
            assertFalse(
                    agentLog.contains(bad),
                    "the agent's log shows " + bad + agent.process().logTail());
        }
    }

    private static String tokenFor(String agentId) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = CollectorMainAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(
                "token", "create", "--agent-id", agentId, "--db-url", db.url(), "--db-user", FreshDatabase.USER);
        assertEquals(0, code, "token create: " + err);
        return out.toString().trim();
    }

    private static long count(String view, String instance) throws SQLException {
        return scalar("SELECT count(*) FROM " + view + " WHERE instance = ?", instance);
    }

    private static long scalar(String sql, String instance) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
