package io.redwatch.collector.matrix;

import static io.redwatch.collector.testing.PagingRig.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.Agent;
import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.InjectedFaults;
import io.redwatch.agent.testing.RedisRelease;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.testing.PagingRig;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The incidents of INCIDENTS.md reproduced on real servers of three releases — 2.8.19 (the seeds'
 * own), 6.2 and Debian's 7.0 — each watched by a real agent, named by the collector's rules, paged by
 * email (GreenMail) and SMS (a local gateway), and resolved once fixed. One collector serves every
 * case; each case has its own agent host name, so its messages are grouped apart.
 *
 * <p>Where a release shows an incident differently, the test asserts what that release shows and
 * says why: 2.8 has no errorstats (a refused write is seen as memory at the limit under noeviction,
 * not as errorstat_OOM) and words its replication log with "slave".
 */
class VersionMatrixIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;

    static PagingRig rig;
    static InjectedFaults forks;

    @BeforeAll
    static void start() {
        // A short resync window, so a fixed loop resolves within the test.
        rig = new PagingRig("version_matrix_it", dir, WAIT, "full_resync_window: 20s");
        forks = InjectedFaults.compile(dir.resolve("forkfail"));
    }

    @AfterAll
    static void stop() {
        if (forks != null) forks.allowForks();
        if (rig != null) rig.close();
    }

    /** INFO and the log of each release, kept under target/version-matrix/ and read by the agent's parser. */
    @ParameterizedTest
    @EnumSource(RedisRelease.class)
    void infoAndLogOfEachReleaseAreCapturedAndRead(RedisRelease release) throws Exception {
        try (RedisServerProcess redis =
                RedisServerProcess.launch().release(release).start()) {
            String info = redis.call("INFO", release.old() ? "all" : "everything");
            InfoSample sample = InfoParser.parse(
                    info,
                    InstanceRef.newBuilder().setInstance(redis.address()).build(),
                    System.currentTimeMillis(),
                    "test");
            assertTrue(InfoParser.field(sample, "redis_version").orElse("").startsWith(release.series()), info);
            assertEquals(release.hasErrorstats(), info.contains("# Errorstats"), "errorstats from 6.2 on");
            Path out = Files.createDirectories(Path.of("target", "version-matrix", release.series()));
            Files.writeString(out.resolve("info.txt"), info);
            Files.writeString(out.resolve("redis.log"), redis.log());
        }
    }

    @ParameterizedTest
    @EnumSource(RedisRelease.class)
    void forkFailingWithEnomemRefusesWritesWithMisconfAndIsPagedUntilForksWork(RedisRelease release) throws Exception {
        String host = "fork-" + release.series().replace(".", "");
        try (RedisServerProcess redis = RedisServerProcess.launch()
                        .release(release)
                        .environment(forks.environment())
                        .start("--save", "3600", "1");
                Agent agent = rig.agent(host, redis)) {
            String instance = host + ":" + redis.port();
            redis.call("SET", "k", "v");
            forks.failForks();
            try {
                try {
                    redis.call("BGSAVE");
                } catch (RedisServerProcess.RedisErrorReply expected) {
                    // the fork failed; the reply is a bare ERR, the log says why
                }
                redis.awaitLog("Can't save in background: fork: Cannot allocate memory", WAIT);
                assertMisconf(redis);

                String fired = rig.awaitEmail(item(instance, "CRITICAL", "fork_enomem"));
                assertTrue(fired.contains("overcommit_memory"), "advice names the cure: " + fired);
                rig.awaitEmail(item(instance, "CRITICAL", "bgsave_failing"));
                rig.awaitEmail(item(instance, "CRITICAL", "misconf_writes_refused"));
                rig.awaitSms(t -> t.contains(host) && t.contains("fork_enomem"));
            } finally {
                forks.allowForks();
            }
            redis.call("BGSAVE");
            redis.awaitLog("Background saving terminated with success", WAIT);
            redis.call("SET", "k", "again");
            rig.awaitEmail(item(instance, "RESOLVED", "misconf_writes_refused"));
            rig.awaitEmail(item(instance, "RESOLVED", "bgsave_failing"));
        }
    }

    @ParameterizedTest
    @EnumSource(RedisRelease.class)
    void pipesLeakingTowardTheEventLoopCeilingArePagedAndClearOnceClosed(RedisRelease release) throws Exception {
        String host = "pipes-" + release.series().replace(".", "");
        // maxclients 300: the event loop holds 300 + 128 descriptors on every release, so 200 leaked
        // pipes (400 fds) bring the server within 10 % of the ceiling, as 9,823 did in seed 003.
        try (RedisServerProcess redis = RedisServerProcess.launch()
                        .release(release)
                        .environment(forks.environment())
                        .start("--maxclients", "300");
                Agent agent = rig.agent(host, redis)) {
            String instance = host + ":" + redis.port();
            forks.leakPipes(200);
            redis.call("BGSAVE"); // the leak happens inside the server when it forks
            awaitPipeFds(redis.pid(), n -> n >= 400);

            String fired = rig.awaitEmail(item(instance, "", "fd_leak_pipes"));
            assertTrue(fired.contains("pipe"), fired);
            rig.awaitEmail(item(instance, "", "maxclients_exhausted"));

            forks.leakPipes(0);
            awaitBgsaveDone(redis);
            redis.call("BGSAVE");
            awaitPipeFds(redis.pid(), n -> n < 10);
            rig.awaitEmail(item(instance, "RESOLVED", "fd_leak_pipes"));
            rig.awaitEmail(item(instance, "RESOLVED", "maxclients_exhausted"));
        } finally {
            forks.leakPipes(0);
        }
    }

    /**
     * All three releases at once: a refused write keeps maxmemory_oom live for a minute (the window
     * over errorstat_OOM), so the three wait out that minute together.
     *
     * <p>2.8 has no errorstats, and after refusing a write its used_memory reads a few bytes under
     * maxmemory (4194272 of 4194304 measured): under noeviction that is full for writing, and the
     * rules call it maxmemory_oom on every release.
     */
    @Test
    void maxmemoryReachedUnderNoevictionIsPagedUntilMemoryIsFreed() throws Exception {
        List<RedisServerProcess> servers = new ArrayList<>();
        List<Agent> agents = new ArrayList<>();
        try {
            for (RedisRelease release : RedisRelease.values()) {
                RedisServerProcess redis = RedisServerProcess.launch()
                        .release(release)
                        .start("--maxmemory", "4mb", "--maxmemory-policy", "noeviction");
                servers.add(redis);
                agents.add(rig.agent(oomHost(release), redis));
            }
            for (RedisServerProcess redis : servers) fillUntilOom(redis);
            for (RedisRelease release : RedisRelease.values()) {
                String host = oomHost(release);
                String instance = host + ":" + servers.get(release.ordinal()).port();
                String fired = rig.awaitEmail(item(instance, "CRITICAL", "maxmemory_oom"));
                assertTrue(fired.contains("noeviction"), fired);
                rig.awaitSms(t -> t.contains(host) && t.contains("maxmemory_oom"));
            }
            for (RedisServerProcess redis : servers) redis.call("FLUSHALL");
            for (RedisRelease release : RedisRelease.values()) {
                String instance =
                        oomHost(release) + ":" + servers.get(release.ordinal()).port();
                rig.awaitEmail(item(instance, "RESOLVED", "maxmemory_oom"));
            }
        } finally {
            agents.forEach(Agent::close);
            servers.forEach(RedisServerProcess::close);
        }
    }

    private static String oomHost(RedisRelease release) {
        return "oom-" + release.series().replace(".", "");
    }

    private static void fillUntilOom(RedisServerProcess redis) throws Exception {
        String value = "x".repeat(8192);
        for (int i = 0; i < 2000; i++) {
            try {
                redis.call("SET", "key:" + i, value);
            } catch (RedisServerProcess.RedisErrorReply e) {
                if (e.getMessage().startsWith("OOM")) return;
                throw e;
            }
        }
        throw new AssertionError("Redis never answered OOM");
    }

    @ParameterizedTest
    @EnumSource(RedisRelease.class)
    void replicaInAFullResyncLoopIsPagedAndResolvesOnceTheLimitsFit(RedisRelease release) throws Exception {
        String host = "resync-" + release.series().replace(".", "");
        // A tiny replica output buffer and backlog under a write burst: every sync overflows the
        // buffer, the master drops the replica, the backlog cannot serve a partial resync. Directives
        // with several values go as separate arguments, which 2.8 reads too ("slave" on every release).
        List<String> masterArgs = new ArrayList<>(
                List.of("--repl-backlog-size", "16kb", "--client-output-buffer-limit", "slave", "256kb", "128kb", "1"));
        if (release == RedisRelease.V7_0) masterArgs.addAll(List.of("--enable-debug-command", "yes"));
        try (RedisServerProcess master =
                        RedisServerProcess.launch().release(release).start(masterArgs.toArray(String[]::new));
                RedisServerProcess replica =
                        RedisServerProcess.launch().release(release).start()) {
            // 2.8's DEBUG POPULATE has no value size: more, smaller keys make a comparable RDB.
            if (release.old()) master.call("DEBUG", "POPULATE", "400000");
            else master.call("DEBUG", "POPULATE", "200000", "key", "200");
            try (Agent agent = rig.agent(host, master, replica)) {
                String masterInstance = host + ":" + master.port();
                String replicaInstance = host + ":" + replica.port();
                replica.call("SLAVEOF", "127.0.0.1", String.valueOf(master.port()));
                AtomicBoolean writing = new AtomicBoolean(true);
                Thread writer = new Thread(
                        () -> {
                            String value = "w".repeat(8192);
                            for (long i = 0; writing.get(); i++)
                                master.callUnchecked("SET", "burst:" + (i % 5000), value);
                        },
                        "write-burst-" + release.series());
                writer.start();
                try {
                    String fired = rig.awaitEmail(t ->
                            item(masterInstance, "CRITICAL", "full_resync_loop").test(t)
                                    || item(replicaInstance, "CRITICAL", "full_resync_loop")
                                            .test(t));
                    assertTrue(fired.contains("repl-backlog-size"), "advice computes a backlog size: " + fired);
                    rig.awaitEmail(item(masterInstance, "", "output_buffer_limit_kill"));
                    rig.awaitSms(t -> t.contains(host) && t.contains("full_resync_loop"));
                } finally {
                    writing.set(false);
                    writer.join();
                }
                master.call("CONFIG", "SET", "client-output-buffer-limit", "slave 0 0 0");
                master.call("CONFIG", "SET", "repl-backlog-size", String.valueOf(64 << 20)); // 2.8 takes bytes only
                rig.awaitEmail(t -> item(masterInstance, "RESOLVED", "full_resync_loop")
                                .test(t)
                        || item(replicaInstance, "RESOLVED", "full_resync_loop").test(t));
            }
        }
    }

    private static void awaitPipeFds(long pid, java.util.function.IntPredicate wanted) {
        Await.until(
                "the pipe fds of redis-server " + pid + " as wanted",
                WAIT,
                () -> wanted.test(pipeFds(pid)),
                () -> pipeFds(pid) + " pipe fds");
    }

    private static int pipeFds(long pid) throws java.io.IOException {
        int n = 0;
        try (var fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("pipe:")) n++;
                } catch (java.io.IOException gone) {
                    // closed while listing
                }
            }
        }
        return n;
    }

    /** BGSAVE is refused while another runs; the leak's BGSAVE must be over before the next. */
    private static void awaitBgsaveDone(RedisServerProcess redis) {
        Await.until(
                "BGSAVE finished", WAIT, () -> redis.call("INFO", "persistence").contains("rdb_bgsave_in_progress:0"));
    }

    private static void assertMisconf(RedisServerProcess redis) throws Exception {
        try {
            redis.call("SET", "k", "refused?");
        } catch (RedisServerProcess.RedisErrorReply e) {
            assertTrue(e.getMessage().startsWith("MISCONF"), e.getMessage());
            return;
        }
        throw new AssertionError("a write was accepted although the last BGSAVE failed");
    }
}
