package io.redwatch.collector.faults;

import io.redwatch.agent.testing.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.TestInfo;

/**
 * What one fault test starts: redis-servers, collectors, agents and anything else to close. Its
 * {@link #close} (in {@code @AfterEach}) kills every process it started, whatever the test did or
 * where it failed. Process logs go to {@code target/fault-logs/<class>/<method>/}, the test's files
 * (redis.log, the agent's state) to {@code target/fault-work/<class>/<method>/}.
 */
final class Rig implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Rig.class.getName());

    private final Path logDir;
    private final Path dir;
    private final List<RedisServerProcess> redises = new ArrayList<>();
    private final List<CollectorProcess> collectors = new ArrayList<>();
    private final List<AgentProcess> agents = new ArrayList<>();
    private final List<AutoCloseable> others = new ArrayList<>();

    Rig(TestInfo test) {
        String cls = test.getTestClass().map(Class::getSimpleName).orElse("unknown");
        String method =
                test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("unknown");
        this.logDir = ModuleDir.logDir(cls, method);
        this.dir = ModuleDir.path().resolve("target/fault-work").resolve(cls).resolve(method);
        RedisServerProcess.deleteRecursively(logDir);
        RedisServerProcess.deleteRecursively(dir);
        try {
            Files.createDirectories(logDir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test's own directory for files (redis.log, state directories). */
    Path dir() {
        return dir;
    }

    Path logDir() {
        return logDir;
    }

    RedisServerProcess redis() {
        RedisServerProcess r = RedisServerProcess.start();
        redises.add(r);
        return r;
    }

    /** The instance name an agent on this host gives a Redis on loopback: {@code <host name>:<port>}. */
    static String instanceOf(RedisServerProcess redis) {
        try {
            return InetAddress.getLocalHost().getHostName() + ":" + redis.port();
        } catch (UnknownHostException e) {
            throw new AssertionError("this host has no name; the agent would fall back to $HOSTNAME", e);
        }
    }

    /** A collector on the given database (not started); {@code config} is a collector.yaml or null. */
    CollectorProcess collector(String name, String dbUrl, Path config) {
        CollectorProcess c = new CollectorProcess(name, dbUrl, config, logDir);
        collectors.add(c);
        return c;
    }

    /** An agent (not started) shipping to {@code collector}, watching {@code redis} and following {@code logFile}. */
    AgentProcess agent(String id, CollectorProcess collector, RedisServerProcess redis, Path logFile) {
        return agent(id, collector, redis, logFile, null, List.of("-Xmx64m"));
    }

    AgentProcess agent(
            String id,
            CollectorProcess collector,
            RedisServerProcess redis,
            Path logFile,
            Path config,
            List<String> jvmArgs) {
        AgentProcess a = new AgentProcess(
                id,
                collector.agentAddress(),
                "redis://127.0.0.1:" + redis.port(),
                logFile,
                dir.resolve("state-" + id),
                config,
                logDir,
                jvmArgs);
        agents.add(a);
        return a;
    }

    <T extends AutoCloseable> T closeLater(T thing) {
        others.add(thing);
        return thing;
    }

    /**
     * Kills every process it started, agents first (so they log no reconnect storm), then the rest.
     * One failing close never keeps the others from running.
     */
    @Override
    public void close() {
        List<Runnable> steps = new ArrayList<>();
        for (AgentProcess a : agents) steps.add(a::destroy);
        for (CollectorProcess c : collectors) steps.add(c::destroy);
        for (AutoCloseable o : others)
            steps.add(() -> {
                try {
                    o.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + o + " failed", e);
                }
            });
        for (RedisServerProcess r : redises) steps.add(r::close);
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | LinkageError e) {
                // LinkageError: the agent test-jar in ~/.m2 was replaced under the running JVM (another
                // checkout ran `mvn install`); the redis-server is stopped by then, only its directory stays.
                LOG.log(Level.WARNING, "teardown step failed; going on with the others", e);
            }
        }
    }
}
