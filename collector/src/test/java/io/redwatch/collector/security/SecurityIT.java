package io.redwatch.collector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.AgentConfigLoader;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.LogCapture;
import io.redwatch.collector.testing.TestCertificates;
import io.redwatch.collector.testing.WireClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security model on real parts: certificates made by openssl, an in-process collector with TLS,
 * required agent tokens and an API token on a fresh PostgreSQL database, and real agents watching a
 * real redis-server that has a password. Tokens are made with the {@code token} command.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static final String HOST = "sec-host";
    static final Shipper.Settings FAST = new Shipper.Settings(100, 1 << 20, 8, 100, 400, 10_000, 50);
    /** Every secret of the setup; none may appear in a log, a snapshot or the database. */
    static final List<String> SECRETS = new ArrayList<>();

    @TempDir
    static Path dir;

    static TestCertificates certs;
    static FreshDatabase db;
    static RedisServerProcess redis;
    static Collector collector;
    static Collector mtlsCollector;
    static LogCapture agentLog;
    static LogCapture collectorLog;
    static String apiToken;
    static String goodToken;
    static String redisPassword;

    @BeforeAll
    static void start() throws Exception {
        Logger.getLogger("io.redwatch").setLevel(Level.FINE); // the secrets check reads debug lines too
        agentLog = new LogCapture("io.redwatch.agent");
        collectorLog = new LogCapture("io.redwatch.collector");
        certs = TestCertificates.create(dir);
        db = FreshDatabase.reserve("security_it");
        redisPassword = secret("redis");
        redis = RedisServerProcess.start("--save", "");
        redis.callUnchecked(
                "CONFIG", "SET", "requirepass", redisPassword); // after start: its readiness check has no password
        Files.writeString(dir.resolve("redis.pass"), redisPassword + "\n");
        apiToken = secret("api");
        Files.writeString(dir.resolve("api.token"), apiToken + "\n");
        String smtpPassword = secret("smtp");
        Files.writeString(dir.resolve("smtp.pass"), smtpPassword + "\n");
        String dbPassword =
                secret("db"); // the test server trusts local connections; the password must still never show
        Files.writeString(dir.resolve("db.pass"), dbPassword + "\n");

        collector = startCollector("collector.yaml", "");
        mtlsCollector = startCollector("collector-mtls.yaml", "client_ca_file: ca.crt");
        goodToken = tokenCommand("create", "--agent-id", "good-agent").trim();
        SECRETS.add(goodToken);
    }

    static String secret(String what) {
        String s = what + "-secret-" + UUID.randomUUID().toString().replace("-", "");
        SECRETS.add(s);
        return s;
    }

    static Collector startCollector(String name, String clientCa) throws IOException {
        Path yaml = dir.resolve(name);
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "bind: 127.0.0.1",
                        "database: {url: '" + db.url() + "', user: " + FreshDatabase.USER + ", password_file: "
                                + dir.resolve("db.pass") + "}",
                        "tls: {cert_file: server.crt, key_file: server.key"
                                + (clientCa.isEmpty() ? "" : ", " + clientCa) + "}",
                        "auth: {agent_tokens: required}",
                        "http: {api_token_file: api.token}",
                        "alerting:",
                        "  email:",
                        "    smtp: {host: 127.0.0.1, port: 1, starttls: false, username: u, password_file: smtp.pass}",
                        "    from: redwatch@example.org",
                        "    to: [oncall@example.org]",
                        "  routes: {critical: [email], warning: [email]}",
                        ""));
        // the smtp password file is read relative to the working directory by the alerting config
        Files.writeString(
                yaml,
                Files.readString(yaml)
                        .replace("password_file: smtp.pass", "password_file: " + dir.resolve("smtp.pass")));
        Collector c =
                new Collector(CollectorConfig.load(yaml, new CollectorConfig.Overrides(null, 0, 0, null, null, null)));
        c.start();
        return c;
    }

    @AfterAll
    static void stop() {
        if (collector != null) collector.close();
        if (mtlsCollector != null) mtlsCollector.close();
        if (redis != null) redis.close();
        if (db != null) db.close();
        if (agentLog != null) agentLog.close();
        if (collectorLog != null) collectorLog.close();
    }

    // ---- agent tokens ----

    @Test
    @Order(1)
    void rightTokenOverTlsStoresBatches() throws Exception {
        try (Agent a =
                agent("good-agent", goodToken, collector, tls("ca.crt", null, null, TestCertificates.SERVER_NAME))) {
            a.start();
            Await.until("batches of good-agent stored", WAIT, () -> lastSeq("good-agent") >= 2);
        }
        assertTrue(
                rows("select count(*) from redwatch_pings where instance = ?", HOST + ":" + redis.port()) > 0,
                "the agent's PINGs are in the database");
    }

    @Test
    @Order(2)
    void wrongTokenIsRefused() throws Exception {
        String wrong = secret("wrong");
        tokenCommand("create", "--agent-id", "wrong-agent");
        refused("wrong-agent", wrong, "wrong token");
    }

    @Test
    @Order(2)
    void missingTokenIsRefused() throws Exception {
        tokenCommand("create", "--agent-id", "tokenless-agent");
        refused("tokenless-agent", null, "no token in the call metadata");
    }

    @Test
    @Order(2)
    void unknownAgentIsRefused() throws Exception {
        refused("stranger-agent", goodToken, "no token exists for this agent id");
    }

    @Test
    @Order(2)
    void expiredTokenIsRefused() throws Exception {
        String token = tokenCommand("create", "--agent-id", "expired-agent", "--expires-in", "1h")
                .trim();
        SECRETS.add(token);
        // The hour has passed (rather than waiting one out): its expiry is now in the past.
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            assertEquals(
                    1,
                    st.executeUpdate("UPDATE agent_tokens SET expires_at = now() - interval '1 second'"
                            + " WHERE agent_id = 'expired-agent'"));
        }
        refused("expired-agent", token, "the token has expired");
    }

    @Test
    @Order(2)
    void revokedTokenIsRefused() throws Exception {
        String token = tokenCommand("create", "--agent-id", "revoked-agent").trim();
        SECRETS.add(token);
        tokenCommand("revoke", "--agent-id", "revoked-agent");
        String list = tokenCommand("list");
        assertTrue(
                list.lines()
                        .anyMatch(l -> l.contains("revoked-agent") && !l.trim().endsWith(" -")),
                list);
        assertFalse(list.contains(token), "token list never shows a token");
        refused("revoked-agent", token, "the token was revoked");
    }

    /** Refused every time it retries, at its maximum backoff; each side logs it once; nothing stored. */
    private void refused(String agentId, String token, String reason) throws Exception {
        int agentMark = agentLog.mark();
        int collectorMark = collectorLog.mark();
        long before = collector.metrics().helloRejected.get();
        long start = System.nanoTime();
        try (Agent a = agent(agentId, token, collector, tls("ca.crt", null, null, TestCertificates.SERVER_NAME))) {
            a.start();
            Await.until(
                    agentId + " retried 4 times",
                    WAIT,
                    () -> collector.metrics().helloRejected.get() - before >= 4);
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(
                elapsedMs >= 3 * FAST.maxBackoffMs() / 2,
                "retries are paced by the maximum backoff, took " + elapsedMs + " ms");
        List<String> agentLines = agentLog.since(agentMark);
        assertEquals(1, LogCapture.count(agentLines, "refused this agent"), String.join("\n", agentLines));
        assertTrue(
                agentLines.stream().anyMatch(l -> l.contains("refused this agent") && l.contains(reason)),
                String.join("\n", agentLines));
        List<String> collectorLines = collectorLog.since(collectorMark);
        assertEquals(
                1,
                LogCapture.count(collectorLines, "refused agent " + agentId + " "),
                String.join("\n", collectorLines));
        assertTrue(
                collectorLines.stream()
                        .anyMatch(l -> l.contains("refused agent " + agentId)
                                && l.contains(reason)
                                && l.contains("token create --agent-id " + agentId)),
                "says what to do: " + collectorLines);
        assertEquals(-1, lastSeq(agentId), "a refused agent is not even registered");
    }

    // ---- transport ----

    @Test
    @Order(3)
    void plaintextToTheTlsPortIsRefused() throws Exception {
        int mark = agentLog.mark();
        try (Agent a = agent("good-agent-plain", goodToken, collector, "")) {
            a.start();
            Thread.sleep(2500);
        }
        assertEquals(-1, lastSeq("good-agent-plain"));
        List<String> lines = agentLog.since(mark);
        assertEquals(1, LogCapture.count(lines, "unreachable"), "logged once though retried: " + lines);
    }

    @Test
    @Order(3)
    void aCollectorSignedByAnotherCaIsNotTrusted() throws Exception {
        int mark = agentLog.mark();
        try (Agent a = agent(
                "good-agent", goodToken, collector, tls("other-ca.crt", null, null, TestCertificates.SERVER_NAME))) {
            a.start();
            Await.until(
                    "the agent tells why it cannot connect",
                    WAIT,
                    () -> agentLog.since(mark).stream().anyMatch(l -> l.contains("unreachable")));
            assertFalse(a.connected());
        }
    }

    @Test
    @Order(3)
    void mutualTlsNeedsTheClientCertificate() throws Exception {
        long before = lastSeq("good-agent");
        int mark = agentLog.mark();
        try (Agent a = agent(
                "good-agent", goodToken, mtlsCollector, tls("ca.crt", null, null, TestCertificates.SERVER_NAME))) {
            a.start();
            Await.until(
                    "the agent tells why it cannot connect",
                    WAIT,
                    () -> agentLog.since(mark).stream().anyMatch(l -> l.contains("unreachable")));
            assertFalse(a.connected(), "no client certificate: no connection");
        }
        assertEquals(before, lastSeq("good-agent"));
        try (Agent a = agent(
                "good-agent",
                goodToken,
                mtlsCollector,
                tls("ca.crt", "client.crt", "client.key", TestCertificates.SERVER_NAME))) {
            a.start();
            Await.until("batches over mutual TLS", WAIT, () -> lastSeq("good-agent") >= before + 2);
        }
    }

    // ---- malformed and oversized input ----

    @Test
    @Order(4)
    void oversizedAndMalformedMessagesCloseOnlyTheirOwnStream() throws Exception {
        int mark = collectorLog.mark();
        try (Agent a =
                agent("good-agent", goodToken, collector, tls("ca.crt", null, null, TestCertificates.SERVER_NAME))) {
            a.start();
            Await.until("good agent connected", WAIT, a::connected);
            long seq = lastSeq("good-agent");

            Status tooLarge = sendRaw(new byte[17 << 20]);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.getCode(), tooLarge.toString());
            Status garbage = sendRaw(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertEquals(Status.Code.INVALID_ARGUMENT, garbage.getCode(), garbage.toString());

            Await.until("the good agent is still served", WAIT, () -> lastSeq("good-agent") >= seq + 2);
            assertTrue(a.connected());
        }
        List<String> lines = collectorLog.since(mark);
        assertEquals(1, LogCapture.count(lines, "larger than 16 MiB"), String.join("\n", lines));
        assertEquals(1, LogCapture.count(lines, "not a valid protobuf AgentMessage"), String.join("\n", lines));
        assertEquals(1, collector.metrics().streamsTooLarge.get());
    }

    /**
     * One raw message on the ingest stream over TLS, on a call authenticated as good-agent (an
     * unauthenticated call is closed before its first message is read); the status it ends with.
     */
    private static Status sendRaw(byte[] message) throws Exception {
        ManagedChannel ch = NettyChannelBuilder.forTarget(
                        "127.0.0.1:" + collector.grpcPort(),
                        TlsChannelCredentials.newBuilder()
                                .trustManager(certs.caCert.toFile())
                                .build())
                .overrideAuthority(TestCertificates.SERVER_NAME)
                .build();
        try (WireClient call = new WireClient(ch, "good-agent", goodToken)) {
            return call.sendBytes(message).status();
        } finally {
            ch.shutdownNow();
        }
    }

    // ---- HTTP API ----

    @Test
    @Order(5)
    void theApiNeedsItsToken() throws Exception {
        assertEquals(401, get("/api/alerts", null).status);
        Reply wrong = get("/api/alerts", "Bearer not-" + apiToken);
        assertEquals(401, wrong.status);
        assertTrue(wrong.body.contains("\"error\""), wrong.body);
        assertEquals(401, get("/api/silences", "Basic " + apiToken).status);
        Reply right = get("/api/alerts", "Bearer " + apiToken);
        assertEquals(200, right.status, right.body);
        assertTrue(right.body.startsWith("["), right.body);
        assertEquals(200, get("/health", null).status, "health stays open for probes");
        assertEquals(200, get("/metrics", null).status, "metrics stay open for scrapers");
    }

    record Reply(int status, String body) {}

    private static Reply get(String path, String authorization) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.caCert)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpsURLConnection c =
                (HttpsURLConnection) new URL("https://127.0.0.1:" + collector.httpPort() + path).openConnection();
        c.setSSLSocketFactory(ssl.getSocketFactory());
        // Reached by address; the certificate names the collector (trust is still only our CA).
        c.setHostnameVerifier((host, session) -> true);
        if (authorization != null) c.setRequestProperty("Authorization", authorization);
        int status = c.getResponseCode();
        InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new Reply(status, body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }

    // ---- secrets ----

    @Test
    @Order(9)
    void noSecretInLogsSnapshotOrDatabase() throws Exception {
        String snapshot = LeakSearch.snapshotJson(redis.port(), dir.resolve("redis.pass"));
        assertTrue(snapshot.contains("redis_version"), "the snapshot read the password-protected server: " + snapshot);
        String database = LeakSearch.everyRowAsText(db);
        assertTrue(database.contains("good-agent"), "the dump holds the stored data");
        assertFalse(agentLog.lines().isEmpty());
        assertFalse(collectorLog.lines().isEmpty());
        for (String s : SECRETS) {
            assertFalse(agentLog.text().contains(s), "agent log holds " + s);
            assertFalse(collectorLog.text().contains(s), "collector log holds " + s);
            assertFalse(snapshot.contains(s), "snapshot holds " + s);
            assertFalse(database.contains(s), "database holds " + s);
        }
    }

    // ---- helpers ----

    private static String tls(String ca, String cert, String key, String serverName) {
        return "  tls: {enabled: true, ca_file: " + ca
                + (cert == null ? "" : ", cert_file: " + cert + ", key_file: " + key) + ", server_name: " + serverName
                + "}\n";
    }

    /** A real agent, configured by an agent.yaml next to the certificates. */
    private static Agent agent(String agentId, String token, Collector target, String tlsBlock) throws IOException {
        Path tokenFile = dir.resolve(agentId + "-" + UUID.randomUUID() + ".token");
        if (token != null) Files.writeString(tokenFile, token + "\n");
        Path yaml = dir.resolve(agentId + "-" + UUID.randomUUID() + ".yaml");
        Files.writeString(
                yaml,
                "agent_id: " + agentId + "\n"
                        + "interval: 200ms\n"
                        + "state_dir: " + dir.resolve("state-" + UUID.randomUUID()) + "\n"
                        + "collector:\n"
                        + "  address: 127.0.0.1:" + target.grpcPort() + "\n"
                        + (token == null ? "" : "  token_file: " + tokenFile.getFileName() + "\n")
                        + tlsBlock
                        + "redis:\n"
                        + "  - url: redis://127.0.0.1:" + redis.port() + "\n"
                        + "    password_file: redis.pass\n");
        AgentConfig cfg = AgentConfigLoader.load(yaml, AgentConfigLoader.Overrides.none(), HOST);
        return new Agent(cfg, "security-it", FAST);
    }

    /** {@code redwatch-collector token ...} against the test database; its stdout. */
    private static String tokenCommand(String... args) {
        List<String> all = new ArrayList<>(List.of("token"));
        all.addAll(List.of(args));
        all.addAll(List.of("--db-url", db.url(), "--db-user", FreshDatabase.USER));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = io.redwatch.collector.CollectorMainAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(all.toArray(String[]::new));
        assertEquals(0, code, String.join(" ", all) + ": " + err);
        return out.toString();
    }

    private static long lastSeq(String agentId) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM agents WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            ResultSet rs = ps.executeQuery();
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static long rows(String sql, String param) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            ResultSet rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }
}
