package io.redwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's headline command, for real: quickstart.sh --no-build with the jars this build made,
 * the real PostgreSQL and the Redis on 127.0.0.1:6379 (the script starts one if none answers; then
 * this test stops it again). It must reach its success path: the collector answers /health, the
 * agent holds a stream open, INFO samples land in PostgreSQL; then `stop` ends both cleanly.
 *
 * <p>The repository layout is copied to a temporary folder (the script, and links to the built
 * jars) so the script's run/ folder, its ports and its database are this test's own.
 */
class QuickstartIT {
    private static final Path REPO = ScriptRun.DEPLOY_DIR.getParent();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(100);

    @TempDir
    Path repo;

    private final String database =
            "redwatch_quickstart_it_" + ProcessHandle.current().pid();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Map<String, String> environment;
    private int httpPort;
    private boolean redisWasRunning;

    @BeforeEach
    void layOutRepository() throws IOException {
        Files.createDirectories(repo.resolve("deploy"));
        Files.copy(ScriptRun.DEPLOY_DIR.resolve("quickstart.sh"), repo.resolve("deploy/quickstart.sh"));
        for (String component : List.of("agent", "collector")) {
            Path built = REPO.resolve(component + "/target/redwatch-" + component + ".jar");
            assertTrue(
                    Files.isRegularFile(built),
                    built
                            + " is missing: this test runs the jars the build made; run `mvn -B verify` (or package) first");
            Files.createDirectories(repo.resolve(component + "/target"));
            Files.createSymbolicLink(repo.resolve(component + "/target/redwatch-" + component + ".jar"), built);
        }
        httpPort = freePort();
        environment = Map.of(
                "REDWATCH_GRPC_PORT",
                String.valueOf(freePort()),
                "REDWATCH_HTTP_PORT",
                String.valueOf(httpPort),
                "REDWATCH_DB",
                database);
        redisWasRunning = "PONG"
                .equals(ScriptRun.run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping")
                        .stdout()
                        .strip());
    }

    /** Whatever the test's outcome: no collector, agent or Redis of ours left running, no database left behind. */
    @AfterEach
    void leaveNothingBehind() throws IOException {
        // The pids first: stop removes the pid files even when it could not stop a process.
        List<ProcessHandle> started = new ArrayList<>();
        for (String component : List.of("agent", "collector")) {
            pidOf(component).flatMap(ProcessHandle::of).ifPresent(started::add);
        }
        quickstart("stop");
        for (ProcessHandle p : started) {
            p.destroyForcibly();
            p.onExit().join();
        }
        if (!redisWasRunning) {
            ScriptRun.run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave");
        }
        ScriptRun.run(
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-Atc",
                "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    @Test
    void startsCollectorAndAgentStoresSamplesAndStopsBoth() throws Exception {
        ScriptRun start = quickstart("--no-build");

        assertEquals(0, start.exitCode(), start.output());
        assertTrue(start.stdout().contains("redwatch is running"), start.output());
        long collector =
                pidOf("collector").orElseThrow(() -> new AssertionError("no collector pid file: " + start.output()));
        long agent = pidOf("agent").orElseThrow(() -> new AssertionError("no agent pid file: " + start.output()));

        assertEquals(200, get("/health").statusCode(), "collector health");
        assertTrue(
                get("/metrics").body().lines().anyMatch(l -> l.equals("redwatch_ingest_streams_open 1")),
                "the agent has no stream open to the collector: " + collectorMetricsAndLogs());
        // The agent's batches are acknowledged only once stored: its sequence number and the INFO
        // samples of the watched Redis are both in this test's database.
        assertTrue(
                Long.parseLong(sql("select coalesce(max(last_seq), 0) from agents")) > 0,
                "no acknowledged batch recorded in table agents: " + collectorMetricsAndLogs());
        assertTrue(
                Long.parseLong(sql("select count(*) from redwatch_info where instance like '%:6379'")) > 0,
                "no INFO sample of the Redis on port 6379 in redwatch_info: " + collectorMetricsAndLogs());

        ScriptRun stop = quickstart("stop");

        assertEquals(0, stop.exitCode(), stop.output());
        assertTrue(stop.stdout().contains("stopped agent (pid " + agent + ")"), stop.output());
        assertTrue(stop.stdout().contains("stopped collector (pid " + collector + ")"), stop.output());
        assertFalse(stop.stdout().contains("SIGKILL"), "a component ignored SIGTERM: " + stop.output());
        assertFalse(alive(agent), "stop left the agent running");
        assertFalse(alive(collector), "stop left the collector running");
        assertFalse(
                Files.exists(repo.resolve("run/agent.pid")) || Files.exists(repo.resolve("run/collector.pid")),
                "pid files left after stop");
    }

    private ScriptRun quickstart(String... args) {
        List<String> command = new ArrayList<>(
                List.of("bash", repo.resolve("deploy/quickstart.sh").toString()));
        command.addAll(List.of(args));
        return ScriptRun.run(command, environment, SCRIPT_TIMEOUT.toSeconds());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String sql(String query) {
        ScriptRun run = ScriptRun.run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc", query);
        assertEquals(0, run.exitCode(), query + ": " + run.output());
        return run.stdout().strip();
    }

    private String collectorMetricsAndLogs() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String log : List.of("run/collector.log", "run/agent.log")) {
            Path file = repo.resolve(log);
            out.append("\n--- ")
                    .append(log)
                    .append(" ---\n")
                    .append(Files.exists(file) ? Files.readString(file) : "(none)");
        }
        return out.toString();
    }

    private Optional<Long> pidOf(String component) throws IOException {
        Path file = repo.resolve("run/" + component + ".pid");
        return Files.exists(file)
                ? Optional.of(Long.parseLong(Files.readString(file).strip()))
                : Optional.empty();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
