package io.redwatch.agent.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's config as operators write it: fixtures under src/test/resources/config. */
class AgentConfigLoaderTest {
    private static final String HOST = "cache-host-3";

    @TempDir
    Path dir;

    /** Copies a fixture into the temp dir, replacing placeholders (so no machine path is committed). */
    private Path fixture(String name, String... replacements) throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/config/" + name)) {
            if (in == null) throw new IOException("fixture /config/" + name + " is missing");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (int i = 0; i < replacements.length; i += 2) {
            text = text.replace(replacements[i], replacements[i + 1]);
        }
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static AgentConfig load(Path file) {
        return AgentConfigLoader.load(file, AgentConfigLoader.Overrides.none(), HOST);
    }

    private ConfigException refused(String fixture) throws IOException {
        Path f = fixture(fixture);
        return assertThrows(ConfigException.class, () -> load(f));
    }

    @Test
    void minimalFileGetsTheDocumentedDefaults() throws IOException {
        AgentConfig c = load(fixture("good_minimal.yaml"));

        RedisTarget t = c.redis().get(0);
        assertAll(
                () -> assertEquals(
                        HOST + "-"
                                + DefaultAgentId.shortHash(new String(
                                                Files.readAllBytes(Path.of("/etc/machine-id")),
                                                StandardCharsets.US_ASCII)
                                        .trim()),
                        c.agentId(),
                        "agent id defaults to host name and machine id"),
                () -> assertEquals(HOST, c.hostname()),
                () -> assertEquals("127.0.0.1:7400", c.collectorAddress()),
                () -> assertFalse(c.token().isPresent()),
                () -> assertEquals(Duration.ofSeconds(10), c.interval()),
                () -> assertEquals(Duration.ofMinutes(1), c.configInterval()),
                () -> assertEquals(Duration.ofSeconds(1), c.logPollInterval()),
                () -> assertEquals(Path.of("/var/lib/redwatch-agent"), c.stateDir()),
                () -> assertEquals(Path.of("/proc"), c.procRoot()),
                () -> assertEquals(Path.of("/sys"), c.sysRoot()),
                () -> assertEquals(1, c.redis().size()),
                () -> assertEquals(HOST + ":6379", t.instance()),
                () -> assertEquals("127.0.0.1", t.host()),
                () -> assertEquals(6379, t.port()),
                () -> assertEquals("", t.username()),
                () -> assertFalse(t.password().isPresent()),
                () -> assertNull(t.logFile(), "no log_file: the log is not tailed"),
                () -> assertEquals(Duration.ofSeconds(2), t.connectTimeout()),
                () -> assertEquals(Duration.ofSeconds(2), t.commandTimeout()));
    }

    @Test
    void fullFileSetsEveryKey() throws IOException {
        Path token = write("token", "tok-123\n");
        Path password = write("password", "s3cret-pw\n");
        AgentConfig c =
                load(fixture("good_full.yaml", "TOKEN_FILE", token.toString(), "PASSWORD_FILE", password.toString()));

        RedisTarget local = c.redis().get(0);
        RedisTarget remote = c.redis().get(1);
        assertAll(
                () -> assertEquals("cache-07", c.agentId()),
                () -> assertEquals("collector.example.net:7401", c.collectorAddress()),
                () -> assertEquals("tok-123", c.token().reveal()),
                () -> assertEquals(Duration.ofSeconds(5), c.interval()),
                () -> assertEquals(Duration.ofMinutes(2), c.configInterval()),
                () -> assertEquals(Duration.ofMillis(250), c.logPollInterval()),
                () -> assertEquals(Path.of("/tmp/redwatch-test-state"), c.stateDir()),
                () -> assertEquals(2, c.redis().size()),
                () -> assertEquals(HOST + ":6379", local.instance()),
                () -> assertEquals(Path.of("/var/log/redis/redis-server.log"), local.logFile()),
                () -> assertEquals(Duration.ofSeconds(1), local.connectTimeout()),
                () -> assertEquals(Duration.ofMillis(750), local.commandTimeout()),
                () -> assertEquals("sessions", remote.instance()),
                () -> assertEquals("10.1.2.3", remote.host()),
                () -> assertEquals(6380, remote.port()),
                () -> assertEquals("monitor", remote.username()),
                () -> assertEquals("s3cret-pw", remote.password().reveal(), "the trailing newline is not part of it"));
    }

    @Test
    void flagsOverrideTheFile() throws IOException {
        Path token = write("token", "tok");
        Path password = write("password", "pw");
        Path file = fixture("good_full.yaml", "TOKEN_FILE", token.toString(), "PASSWORD_FILE", password.toString());
        AgentConfig c = AgentConfigLoader.load(
                file,
                new AgentConfigLoader.Overrides(
                        "10.9.9.9:7000",
                        "redis://127.0.0.1:7777",
                        Path.of("/srv/redis/7777.log"),
                        Duration.ofSeconds(1),
                        Path.of("/srv/state"),
                        "from-flag"),
                HOST);

        assertAll(
                () -> assertEquals("from-flag", c.agentId()),
                () -> assertEquals("10.9.9.9:7000", c.collectorAddress()),
                () -> assertEquals(Duration.ofSeconds(1), c.interval()),
                () -> assertEquals(Path.of("/srv/state"), c.stateDir()),
                () -> assertEquals(1, c.redis().size(), "--redis replaces the file's list"),
                () -> assertEquals(HOST + ":7777", c.redis().get(0).instance()),
                () -> assertEquals(
                        Path.of("/srv/redis/7777.log"), c.redis().get(0).logFile()),
                // keys with no flag still come from the file
                () -> assertEquals("tok", c.token().reveal()),
                () -> assertEquals(Duration.ofMinutes(2), c.configInterval()));
    }

    @Test
    void logFileFlagAppliesToTheOnlyInstanceOfTheFile() throws IOException {
        AgentConfig c = AgentConfigLoader.load(
                fixture("good_minimal.yaml"),
                new AgentConfigLoader.Overrides(null, null, Path.of("/srv/redis/6379.log"), null, null, null),
                HOST);

        assertEquals(Path.of("/srv/redis/6379.log"), c.redis().get(0).logFile());
        assertEquals(Duration.ofSeconds(10), c.interval());
    }

    @Test
    void flagsAloneNeedNoFile() {
        AgentConfig c = AgentConfigLoader.load(
                null,
                new AgentConfigLoader.Overrides(
                        null, "redis://127.0.0.1:6390", null, Duration.ofMillis(500), null, null),
                HOST);

        assertEquals(HOST + ":6390", c.redis().get(0).instance());
        assertEquals(Duration.ofMillis(500), c.interval());
        assertEquals(Duration.ofMillis(500), c.logPollInterval(), "a fast interval polls the log as often");
    }

    @Test
    void misspeltKeyIsRefusedWithItsPath() throws IOException {
        ConfigException e = refused("bad_unknown_key.yaml");

        assertTrue(e.getMessage().contains("'redis[0].comand_timeout'"), e.getMessage());
        assertTrue(e.getMessage().contains("command_timeout"), "lists the known keys: " + e.getMessage());
        assertTrue(
                e.getMessage()
                        .endsWith("known keys here: command_timeout, connect_timeout, log_file, log_owner, "
                                + "name, password_env, password_file, url, username"),
                "sorted: " + e.getMessage());
    }

    @Test
    void defaultAgentIdDiffersBetweenTwoMachinesOfOneHostName() throws IOException {
        Path a = write("machine-id-a", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        Path b = write("machine-id-b", "0f4e2b8a9c1d4e7f8a6b5c4d3e2f1a0b\n");
        AgentConfigLoader.Overrides flags =
                new AgentConfigLoader.Overrides(null, "redis://127.0.0.1:6379", null, null, null, null);

        String idA =
                AgentConfigLoader.load(null, flags, HOST, java.util.List.of(a)).agentId();
        String idB =
                AgentConfigLoader.load(null, flags, HOST, java.util.List.of(b)).agentId();

        assertTrue(idA.matches(HOST + "-[0-9a-f]{8}"), idA);
        assertTrue(!idA.equals(idB), idA + " and " + idB + " must differ");
        assertEquals(
                idA,
                AgentConfigLoader.load(null, flags, HOST, java.util.List.of(a)).agentId(),
                "stable across starts");
        assertEquals(
                HOST,
                AgentConfigLoader.load(null, flags, HOST, java.util.List.of(dir.resolve("none")))
                        .agentId(),
                "no machine id: the host name");
    }

    @Test
    void logOwnerTakesAUidOrAKnownUserAndRefusesAnUnknownOne() throws IOException {
        Path good = write(
                "owner.yaml",
                "redis:\n  - url: redis://127.0.0.1:6379\n    log_file: /var/log/redis.log\n"
                        + "    log_owner: root\n  - url: redis://127.0.0.1:6380\n    log_owner: 999\n");
        AgentConfig c = load(good);
        assertEquals("root", c.redis().get(0).logOwner());
        assertEquals("999", c.redis().get(1).logOwner());

        Path bad =
                write("bad-owner.yaml", "redis:\n  - url: redis://127.0.0.1:6379\n    log_owner: no-such-user-xyz\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(bad));
        assertTrue(e.getMessage().startsWith("redis[0].log_owner: no user 'no-such-user-xyz'"), e.getMessage());
    }

    @Test
    void misspeltTopLevelKeyIsRefused() throws IOException {
        ConfigException e = refused("bad_unknown_top_key.yaml");

        assertTrue(e.getMessage().contains("'intervall'"), e.getMessage());
    }

    @Test
    void badDurationNamesTheKeyAndTheValue() throws IOException {
        ConfigException e = refused("bad_duration.yaml");

        assertTrue(e.getMessage().startsWith("interval: "), e.getMessage());
        assertTrue(e.getMessage().contains("'10 seconds'"), e.getMessage());
        assertTrue(e.getMessage().contains("ms, s, m, h or d"), "says how to write it: " + e.getMessage());
    }

    @Test
    void intervalBelow100msIsRefused() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> AgentConfigLoader.load(
                        null,
                        new AgentConfigLoader.Overrides(
                                null, "redis://127.0.0.1:6379", null, Duration.ofMillis(50), null, null),
                        HOST));

        assertTrue(e.getMessage().contains("interval must be at least 100ms, got 50ms"), e.getMessage());
    }

    @Test
    void collectorAddressWithoutPortIsRefused() throws IOException {
        ConfigException e = refused("bad_collector_address.yaml");

        assertTrue(e.getMessage().contains("collector.address"), e.getMessage());
        assertTrue(e.getMessage().contains("'collector.example.net' must be host:port"), e.getMessage());
    }

    @Test
    void collectorAddressForms() {
        assertEquals(new AgentConfig.HostPort("::1", 7400), AgentConfig.parseHostPort("[::1]:7400", "k"));
        assertEquals(new AgentConfig.HostPort("collector", 7400), AgentConfig.parseHostPort(" collector:7400 ", "k"));
        for (String bad : new String[] {"collector:", ":7400", "collector:seventy", "collector:70000", "collector:0"}) {
            ConfigException e =
                    assertThrows(ConfigException.class, () -> AgentConfig.parseHostPort(bad, "collector.address"), bad);
            assertTrue(e.getMessage().startsWith("collector.address: "), e.getMessage());
        }
    }

    @Test
    void redisEntryWithoutUrlIsRefused() throws IOException {
        ConfigException e = refused("bad_missing_url.yaml");

        assertTrue(e.getMessage().startsWith("redis[1].url is required"), e.getMessage());
    }

    @Test
    void noRedisAtAllIsRefused() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load(write("empty.yaml", "interval: 5s\n")));

        assertTrue(e.getMessage().contains("add a 'redis:' list"), e.getMessage());
    }

    @Test
    void twoEntriesWithTheSameInstanceNameAreRefusedByName() throws IOException {
        // 127.0.0.1:6379 and localhost:6379 are both this host's port 6379
        ConfigException e = refused("bad_duplicate_instance.yaml");

        assertTrue(e.getMessage().contains("'" + HOST + ":6379'"), e.getMessage());
        assertTrue(e.getMessage().contains("redis[0]") && e.getMessage().contains("redis[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("'name'"), e.getMessage());
    }

    @Test
    void theShippedExampleLoads() {
        // deploy/config/agent.yaml is what operators copy; it must load as its comments say.
        AgentConfig c = AgentConfigLoader.load(
                Path.of("..", "deploy", "config", "agent.yaml"), AgentConfigLoader.Overrides.none(), HOST);

        assertEquals("127.0.0.1:7400", c.collectorAddress());
        assertEquals(Duration.ofSeconds(10), c.interval());
        assertEquals(HOST + ":6379", c.redis().get(0).instance());
        assertEquals(
                Path.of("/var/log/redis/redis-server.log"), c.redis().get(0).logFile());
        assertFalse(c.redis().get(0).password().isPresent());
    }

    @Test
    void aRelativePasswordFileIsFoundNextToTheConfigFile() throws IOException {
        // Under systemd the working directory is /, so "redis.pass" must mean the config's folder.
        Files.writeString(dir.resolve("redis.pass"), "s3cret\n");
        Path file = dir.resolve("agent.yaml");
        Files.writeString(file, "redis:\n  - url: redis://127.0.0.1:6379\n    password_file: redis.pass\n");

        AgentConfig c = AgentConfigLoader.load(file, AgentConfigLoader.Overrides.none(), HOST);

        assertEquals("s3cret", c.redis().get(0).password().reveal());
    }

    @Test
    void logFileFlagWithSeveralInstancesIsRefusedRatherThanIgnored() throws IOException {
        Path file = fixture("bad_duplicate_instance.yaml", "localhost:6379", "localhost:6380");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> AgentConfigLoader.load(
                        file,
                        new AgentConfigLoader.Overrides(null, null, Path.of("redis.log"), null, null, null),
                        HOST));

        assertTrue(
                e.getMessage().contains("--log-file") && e.getMessage().contains("2 Redis instances"), e.getMessage());
    }

    @Test
    void aKeyGivenTwiceIsRefused() throws IOException {
        // SnakeYAML's default keeps the last value silently: interval would be 1h, not 10s.
        ConfigException e = refused("bad_duplicate_key.yaml");

        assertTrue(e.getMessage().contains("interval"), e.getMessage());
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void badYamlNamesTheFile() throws IOException {
        Path f = write("broken.yaml", "redis:\n  - url: [unclosed\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(f));

        assertTrue(e.getMessage().startsWith(f + " is not valid YAML"), e.getMessage());
    }

    @Test
    void passwordFileIsReadWithoutItsTrailingNewline() throws IOException {
        assertEquals("pw one", Secret.fromFile(write("a", "pw one\n"), "k").reveal());
        assertEquals("pw-two", Secret.fromFile(write("b", "pw-two\r\n"), "k").reveal());
        assertEquals("pw3", Secret.fromFile(write("c", "pw3"), "k").reveal());
        assertEquals(" pw4 ", Secret.fromFile(write("d", " pw4 \n"), "k").reveal(), "inner spaces are the password's");
    }

    @Test
    void missingPasswordFileNamesTheKeyAndTheFile() throws IOException {
        Path config = write(
                "agent.yaml",
                "redis:\n  - url: redis://127.0.0.1:6379\n    password_file: " + dir.resolve("no-such-file") + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(config));

        assertTrue(
                e.getMessage()
                        .startsWith("redis[0].password_file: cannot read secret file " + dir.resolve("no-such-file")),
                e.getMessage());
    }

    @Test
    void passwordNeverPrints() throws IOException {
        Path password = write("password", "s3cret-pw\n");
        Path token = write("token", "tok-123\n");
        AgentConfig c =
                load(fixture("good_full.yaml", "TOKEN_FILE", token.toString(), "PASSWORD_FILE", password.toString()));
        RedisTarget t = c.redis().get(1);

        assertEquals("****", t.password().toString());
        assertEquals("(none)", Secret.none().toString());
        assertFalse(t.toString().contains("s3cret"), t.toString());
        assertFalse(c.toString().contains("s3cret"), c.toString());
        assertFalse(c.toString().contains("tok-123"), c.toString());
        assertTrue(t.toString().contains("sessions"), "still says which instance: " + t);
    }

    @Test
    void passwordInTheUrlIsRedacted() {
        RedisTarget t = RedisTarget.of(
                "redis://:hunter2@127.0.0.1:6379/0",
                "",
                HOST,
                "",
                Secret.none(),
                null,
                RedisTarget.DEFAULT_TIMEOUT,
                RedisTarget.DEFAULT_TIMEOUT,
                "--redis");

        assertEquals("redis://****@127.0.0.1:6379/0", t.redactedUrl());
        assertFalse(t.toString().contains("hunter2"), "a record prints every component: " + t);
        assertEquals("redis://****@10.0.0.1:6379", RedisTarget.redact("redis://monitor:hunter2@10.0.0.1:6379"));
        assertEquals(
                "redis://****@10.0.0.1:6379",
                RedisTarget.redact("redis://:hun@ter2@10.0.0.1:6379"),
                "a raw '@' inside the password");
        assertEquals("redis://10.0.0.1:6379", RedisTarget.redact("redis://10.0.0.1:6379"));
    }

    @Test
    void aBadUrlIsRefusedWithoutPrintingItsPassword() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> RedisTarget.of(
                        "http://:hunter2@10.0.0.1:6379",
                        "",
                        HOST,
                        "",
                        Secret.none(),
                        null,
                        RedisTarget.DEFAULT_TIMEOUT,
                        RedisTarget.DEFAULT_TIMEOUT,
                        "redis[0]"));

        assertTrue(e.getMessage().startsWith("redis[0].url: "), e.getMessage());
        assertTrue(e.getMessage().contains("redis://"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void instancesAreNamedHostnameAndPortOnLoopbackElseUrlHostAndPort() {
        assertEquals(HOST + ":6379", named("redis://127.0.0.1:6379", ""));
        assertEquals(HOST + ":6380", named("redis://localhost:6380", ""));
        assertEquals(HOST + ":6381", named("redis://[::1]:6381", ""));
        assertEquals(HOST + ":6379", named("redis://127.0.0.1", ""), "default port");
        assertEquals("10.1.2.3:6379", named("redis://10.1.2.3:6379", ""));
        assertEquals("redis-a.internal:7000", named("rediss://redis-a.internal:7000", ""));
        assertEquals("orders", named("redis://127.0.0.1:6379", "orders"));
    }

    private static String named(String url, String name) {
        return RedisTarget.of(
                        url,
                        name,
                        HOST,
                        "",
                        Secret.none(),
                        null,
                        RedisTarget.DEFAULT_TIMEOUT,
                        RedisTarget.DEFAULT_TIMEOUT,
                        "redis[0]")
                .instance();
    }

    @Test
    void spoolBudgetDefaultsTo256MbAndTakesSizesOperatorsWrite() throws IOException {
        assertEquals(256L << 20, load(fixture("good_minimal.yaml")).spoolMaxBytes());
        assertEquals(
                256L << 20,
                AgentConfigLoader.load(
                                Path.of("..", "deploy", "config", "agent.yaml"),
                                AgentConfigLoader.Overrides.none(),
                                HOST)
                        .spoolMaxBytes(),
                "the example says 256MB");
        String redis = "redis:\n  - url: redis://127.0.0.1:6379\n";
        assertEquals(
                1L << 30,
                load(write("a.yaml", "spool_max_bytes: 1GB\n" + redis)).spoolMaxBytes());
        assertEquals(
                2048L << 10,
                load(write("b.yaml", "spool_max_bytes: 2048kb\n" + redis)).spoolMaxBytes());
        assertEquals(
                5_000_000L,
                load(write("c.yaml", "spool_max_bytes: 5000000\n" + redis)).spoolMaxBytes());
        for (String bad : new String[] {"lots", "1.5GB", "10TB", "-1MB", "99999999999GB"}) {
            Path f = write("bad.yaml", "spool_max_bytes: " + bad + "\n" + redis);
            ConfigException e = assertThrows(ConfigException.class, () -> load(f), bad);
            assertTrue(e.getMessage().startsWith("spool_max_bytes: "), e.getMessage());
        }
        Path small = write("small.yaml", "spool_max_bytes: 64KB\n" + redis);
        ConfigException e = assertThrows(ConfigException.class, () -> load(small));
        assertTrue(e.getMessage().contains("spool_max_bytes must be at least 1MB"), e.getMessage());
    }
}
