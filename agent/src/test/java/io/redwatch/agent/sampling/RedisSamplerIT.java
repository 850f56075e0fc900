package io.redwatch.agent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.resource.ClientResources;
import io.redwatch.agent.LettuceResources;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.agent.testing.RedisServerProcess.RedisErrorReply;
import io.redwatch.common.config.Secret;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.PingResult.Outcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RedisSampler against real redis-server processes: each failure reported as the operator would name it. */
class RedisSamplerIT {
    static ClientResources resources;

    @TempDir
    Path tmp;

    @BeforeAll
    static void resources() {
        // The agent's own resources: timeouts then run on its shared event loop's timer (LoopTimer).
        resources = LettuceResources.small();
    }

    @AfterAll
    static void shutdown() {
        resources.shutdown();
    }

    private static RedisSampler sampler(int port, Secret password, Duration commandTimeout) {
        RedisTarget t = RedisTarget.of(
                "redis://127.0.0.1:" + port,
                "",
                "testhost",
                "",
                password,
                null,
                Duration.ofSeconds(2),
                commandTimeout,
                "test");
        return new RedisSampler(t, resources);
    }

    private static RedisSampler sampler(int port) {
        return sampler(port, Secret.none(), Duration.ofSeconds(2));
    }

    /** A server that demands a password; set after start, since start-up waits for an unauthenticated PONG. */
    private static RedisServerProcess startWithPassword(String password) throws IOException {
        RedisServerProcess redis = RedisServerProcess.start();
        redis.call("CONFIG", "SET", "requirepass", password);
        return redis;
    }

    /** The server's own error reply to a command, read on a raw connection of our own. */
    private static String errorReply(RedisServerProcess redis, String... command) {
        RedisErrorReply e = assertThrows(RedisErrorReply.class, () -> redis.call(command), String.join(" ", command));
        return e.getMessage();
    }

    private static PingResult awaitPing(RedisSampler s, Outcome wanted, Duration timeout) {
        PingResult[] last = {null};
        return Await.value(
                "a ping answered " + wanted,
                timeout,
                () -> {
                    last[0] = s.ping(System.currentTimeMillis());
                    return last[0].getOutcome() == wanted ? last[0] : null;
                },
                () -> last[0]);
    }

    @Test
    void pingAnswersPongAndInfoIsParsed() {
        try (RedisServerProcess redis = RedisServerProcess.start();
                RedisSampler s = sampler(redis.port())) {
            PingResult p = s.ping(123);
            InfoSample info = s.info(124);

            assertEquals(Outcome.PONG, p.getOutcome());
            assertEquals("PONG", p.getReply());
            assertEquals(123, p.getTsMs());
            assertEquals("testhost:" + redis.port(), p.getRef().getInstance());
            assertTrue(p.getLatencyUs() > 0);
            assertEquals("", info.getError());
            assertEquals("everything", info.getSource());
            assertEquals(
                    String.valueOf(redis.port()),
                    InfoParser.field(info, "tcp_port").orElseThrow());
            assertEquals(
                    String.valueOf(redis.pid()),
                    InfoParser.field(info, "process_id").orElseThrow());
        }
    }

    @Test
    void configValuesAreTheServersOwn() throws IOException {
        try (RedisServerProcess redis =
                        RedisServerProcess.start("--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lru");
                RedisSampler s = sampler(redis.port())) {
            ConfigSnapshot c = s.config(1);
            Map<String, String> values =
                    c.getValuesList().stream().collect(Collectors.toMap(ConfigValue::getKey, ConfigValue::getValue));

            assertEquals(0, c.getUnavailableCount(), c.getUnavailableList().toString());
            assertEquals(RedisSampler.CONFIG_PARAMETERS.size(), values.size());
            assertEquals("10485760", values.get("maxmemory"));
            assertEquals("allkeys-lru", values.get("maxmemory-policy"));
            for (String p : RedisSampler.CONFIG_PARAMETERS) {
                assertEquals(redis.call("CONFIG", "GET", p).split("\n", 2)[1], values.get(p), p);
            }
        }
    }

    @Test
    void requirepassWithoutPasswordIsAuthFailedWithTheNoauthReply() throws IOException {
        try (RedisServerProcess redis = startWithPassword("right-pw");
                RedisSampler s = sampler(redis.port())) {
            String noauth = errorReply(redis, "PING");

            PingResult p = s.ping(1);

            assertTrue(noauth.startsWith("NOAUTH"), noauth);
            assertEquals(Outcome.AUTH_FAILED, p.getOutcome());
            assertEquals(noauth, p.getReply());
            assertEquals(noauth, s.info(2).getError());
        }
    }

    @Test
    void wrongPasswordIsAuthFailedWithTheWrongpassReply() throws IOException {
        try (RedisServerProcess redis = startWithPassword("right-pw");
                RedisSampler s = sampler(redis.port(), Secret.of("wrong-pw"), Duration.ofSeconds(2))) {
            String wrongpass = errorReply(redis, "AUTH", "wrong-pw");

            PingResult p = s.ping(1);

            assertTrue(wrongpass.startsWith("WRONGPASS"), wrongpass);
            assertEquals(Outcome.AUTH_FAILED, p.getOutcome(), p.getReply());
            assertEquals(wrongpass, p.getReply());
            assertEquals(wrongpass, s.ping(2).getReply(), "the next sample tries again and gets the same answer");
        }
    }

    @Test
    void passwordWrittenInTheUrlIsUsed() throws IOException {
        try (RedisServerProcess redis = startWithPassword("right-pw");
                RedisSampler s = new RedisSampler(
                        RedisTarget.of(
                                "redis://:right-pw@127.0.0.1:" + redis.port(),
                                "",
                                "testhost",
                                "",
                                Secret.none(),
                                null,
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(2),
                                "test"),
                        resources)) {
            PingResult p = s.ping(1);

            assertEquals(Outcome.PONG, p.getOutcome(), p.getReply());
        }
    }

    @Test
    void rightPasswordFromAFileAnswersPong() throws IOException {
        Path file = tmp.resolve("redis.pass");
        Files.writeString(file, "right-pw\n");
        try (RedisServerProcess redis = startWithPassword("right-pw");
                RedisSampler s = sampler(redis.port(), Secret.fromFile(file, "password_file"), Duration.ofSeconds(2))) {
            PingResult p = s.ping(1);

            assertEquals(Outcome.PONG, p.getOutcome(), p.getReply());
            assertEquals("", s.info(2).getError());
        }
    }

    @Test
    void nothingListeningIsConnectionRefused() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket()) {
            free.bind(new InetSocketAddress("127.0.0.1", 0));
            port = free.getLocalPort();
        }
        try (RedisSampler s = sampler(port)) {
            PingResult p = s.ping(1);

            assertEquals(Outcome.CONNECTION_REFUSED, p.getOutcome());
            assertEquals("connection refused", p.getReply());
            assertEquals("connection refused", s.info(2).getError());
            assertEquals(Outcome.CONNECTION_REFUSED, s.ping(3).getOutcome(), "every sample retries and says the same");
        }
    }

    @Test
    void samplingRecoversWhenTheServerComesBackOnTheSamePort() throws InterruptedException {
        RedisServerProcess first = RedisServerProcess.start();
        int port = first.port();
        try (RedisSampler s = sampler(port)) {
            assertEquals(Outcome.PONG, s.ping(1).getOutcome());

            first.close();
            // The kept connection dies with the server; within a sample or two the sampler says why.
            PingResult down = awaitPing(s, Outcome.CONNECTION_REFUSED, Duration.ofSeconds(5));
            assertEquals("connection refused", down.getReply());

            try (RedisServerProcess second = RedisServerProcess.startOnPort(port)) {
                PingResult p = s.ping(2);
                InfoSample info = s.info(3);

                assertEquals(Outcome.PONG, p.getOutcome(), p.getReply());
                assertEquals("", info.getError());
                assertEquals(
                        String.valueOf(second.pid()),
                        InfoParser.field(info, "process_id").orElseThrow(),
                        "the new server answers, not a stale connection");
            }
        } finally {
            first.close();
        }
    }

    @Test
    void failingBgsaveMakesPingAnswerMisconf() throws IOException, InterruptedException {
        // Root ignores directory permissions, so the RDB dir is removed instead: redis has chdir'ed into
        // it and the child cannot create temp-<pid>.rdb there.
        Path rdbDir = Files.createDirectory(tmp.resolve("rdb"));
        try (RedisServerProcess redis = RedisServerProcess.start(
                        "--dir", rdbDir.toString(), "--save", "3600 1", "--stop-writes-on-bgsave-error", "yes");
                RedisSampler s = sampler(redis.port())) {
            assertEquals(Outcome.PONG, s.ping(1).getOutcome());
            Files.delete(rdbDir);
            redis.call("SET", "k", "v");
            redis.call("BGSAVE");
            awaitInfo(() -> redis.callUnchecked("INFO", "persistence"), "rdb_last_bgsave_status:err");
            String misconf = errorReply(redis, "PING");

            PingResult p = s.ping(2);

            // Redis 7.0 refuses PING on a master that cannot persist (as it refuses writes).
            assertTrue(misconf.startsWith("MISCONF "), misconf);
            assertEquals(Outcome.ERROR_REPLY, p.getOutcome());
            assertEquals(misconf, p.getReply());
            InfoSample info = s.info(3);
            assertEquals("", info.getError(), "INFO still answers, and shows why");
            assertEquals("err", InfoParser.field(info, "rdb_last_bgsave_status").orElseThrow());
        }
    }

    @Test
    void aServerAlreadyRefusingWithMisconfIsAReplyNotAConnectFailure() throws IOException, InterruptedException {
        // The agent may first connect while Redis is already in trouble (MISCONF, LOADING): the
        // handshake must not swallow the reply that names the cause.
        Path rdbDir = Files.createDirectory(tmp.resolve("rdb-first"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", rdbDir.toString(), "--save", "3600 1")) {
            Files.delete(rdbDir);
            redis.call("SET", "k", "v");
            redis.call("BGSAVE");
            awaitInfo(() -> redis.callUnchecked("INFO", "persistence"), "rdb_last_bgsave_status:err");
            try (RedisSampler s = sampler(redis.port())) {
                PingResult p = s.ping(1);

                assertEquals(Outcome.ERROR_REPLY, p.getOutcome(), p.getReply());
                assertTrue(p.getReply().startsWith("MISCONF "), p.getReply());
                assertEquals(
                        "err",
                        InfoParser.field(s.info(2), "rdb_last_bgsave_status").orElseThrow());
            }
        }
    }

    @Test
    void configRenamedAwayListsEveryParameterAsUnavailable() {
        try (RedisServerProcess redis = RedisServerProcess.start("--rename-command", "CONFIG", "");
                RedisSampler s = sampler(redis.port())) {
            String refused = errorReply(redis, "CONFIG", "GET", RedisSampler.CONFIG_PARAMETERS.get(0));

            ConfigSnapshot c = s.config(1);

            assertTrue(refused.startsWith("ERR unknown command 'CONFIG'"), refused);
            assertEquals(0, c.getValuesCount());
            assertEquals(
                    RedisSampler.CONFIG_PARAMETERS,
                    c.getUnavailableList().stream().map(ConfigValue::getKey).toList());
            for (ConfigValue v : c.getUnavailableList()) {
                assertEquals("CONFIG GET refused: " + refused, v.getValue(), v.getKey());
            }
            assertEquals("", s.info(2).getError());
            assertEquals(Outcome.PONG, s.ping(3).getOutcome());
        }
    }

    @Test
    void aScriptThatNeverEndsMakesPingAnswerBusy() throws InterruptedException, IOException {
        try (RedisServerProcess redis = RedisServerProcess.start("--busy-reply-threshold", "100");
                RedisSampler s = sampler(redis.port())) {
            assertEquals(Outcome.PONG, s.ping(1).getOutcome());
            CompletableFuture<String> script = CompletableFuture.supplyAsync(() -> {
                try {
                    return redis.call("EVAL", "while true do end", "0");
                } catch (IOException e) {
                    return e.getMessage(); // the reply once SCRIPT KILL stops it
                }
            });
            try {
                PingResult busy = awaitPing(s, Outcome.ERROR_REPLY, Duration.ofSeconds(5));

                assertTrue(busy.getReply().startsWith("BUSY "), busy.getReply());
            } finally {
                redis.call("SCRIPT", "KILL");
            }
            assertTrue(script.join().contains("Script killed"));
            assertEquals(Outcome.PONG, s.ping(2).getOutcome());
        }
    }

    @Test
    void aBlockedServerIsTimeoutAndTheLateReplyIsNotTakenForTheNextAnswer() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--enable-debug-command", "yes");
                RedisSampler s = sampler(redis.port(), Secret.none(), Duration.ofMillis(500))) {
            assertEquals(Outcome.PONG, s.ping(1).getOutcome());
            CompletableFuture<String> sleep =
                    CompletableFuture.supplyAsync(() -> redis.callUnchecked("DEBUG", "SLEEP", "3"));
            awaitInfo(
                    () -> {
                        PingResult p = s.ping(2);
                        return p.getOutcome() + " " + p.getReply();
                    },
                    "TIMEOUT timeout after 500 ms");

            // the next sample reconnects, and the stalled server does not answer the handshake either
            assertEquals("timeout after 500 ms", s.info(3).getError());
            PingResult stillStalled = s.ping(3);
            assertEquals(Outcome.TIMEOUT, stillStalled.getOutcome(), stillStalled.getReply());
            assertEquals("OK", sleep.get(10, TimeUnit.SECONDS));
            PingResult after = s.ping(4);
            assertEquals(Outcome.PONG, after.getOutcome(), after.getReply());
            assertEquals("PONG", after.getReply());
            assertFalse(s.info(5).getSectionsList().isEmpty());
        }
    }

    private static void awaitInfo(Supplier<String> text, String expected) {
        Await.until(
                "INFO showing " + expected,
                Duration.ofSeconds(5),
                () -> text.get().contains(expected),
                text::get);
    }
}
