package io.redwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs quickstart.sh from a copy of the repository layout (deploy/, agent/target, collector/target)
 * with --no-build, on free ports. PostgreSQL and Redis must be up (the script starts them if not).
 * These are the failure and restart paths, with stand-ins for the jars; the success path, with the
 * real jars, PostgreSQL and Redis, is {@link QuickstartIT}.
 */
class QuickstartScriptTest {

    @TempDir
    Path repo;

    private Map<String, String> environment;

    @BeforeEach
    void layOutRepository() throws IOException {
        Files.createDirectories(repo.resolve("deploy"));
        Files.copy(ScriptRun.DEPLOY_DIR.resolve("quickstart.sh"), repo.resolve("deploy/quickstart.sh"));
        Files.createDirectories(repo.resolve("agent/target"));
        Files.createDirectories(repo.resolve("collector/target"));
        // Not a zip: `java -jar` exits at once with "Invalid or corrupt jarfile".
        Files.writeString(repo.resolve("agent/target/redwatch-agent.jar"), "not a jar");
        Files.writeString(repo.resolve("collector/target/redwatch-collector.jar"), "not a jar");
        // A database nobody writes: rows that other runs left in "redwatch" must not make the
        // script believe a dead agent delivers.
        environment = Map.of(
                "REDWATCH_GRPC_PORT",
                String.valueOf(freePort()),
                "REDWATCH_HTTP_PORT",
                String.valueOf(freePort()),
                "REDWATCH_DB",
                "redwatch_quickstart_test_" + ProcessHandle.current().pid());
    }

    @AfterEach
    void stopWhatTheScriptStarted() {
        quickstart("stop");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private ScriptRun quickstart(String... args) {
        List<String> command = new ArrayList<>(
                List.of("bash", repo.resolve("deploy/quickstart.sh").toString()));
        command.addAll(List.of(args));
        return ScriptRun.run(command, environment, 120);
    }

    private void useStandInCollector() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, StandInCollector.class.getName());
        String entry = StandInCollector.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(repo.resolve("collector/target/redwatch-collector.jar"));
                JarOutputStream jar = new JarOutputStream(file, manifest);
                InputStream classFile = StandInCollector.class.getResourceAsStream("/" + entry)) {
            jar.putNextEntry(new JarEntry(entry));
            classFile.transferTo(jar);
            jar.closeEntry();
        }
    }

    private long pid(String component) throws IOException {
        return Long.parseLong(
                Files.readString(repo.resolve("run/" + component + ".pid")).strip());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void collectorThatDiesAtStartupFailsFastWithItsLog() {
        ScriptRun run = quickstart("--no-build");

        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.stderr().contains("the collector exited during startup"), run.output());
        assertTrue(run.stderr().contains("Invalid or corrupt jarfile"), "log tail missing: " + run.output());
        assertFalse(Files.exists(repo.resolve("run/collector.pid")), "pid file of a dead collector left behind");
    }

    /** A new user's terminal (or a CI log) shows Maven's output; it must not be full of colour escapes. */
    @Test
    void theBuildRunsMavenInBatchModeWithoutColours() throws IOException {
        String mvn = Files.readAllLines(ScriptRun.DEPLOY_DIR.resolve("quickstart.sh")).stream()
                .filter(l -> l.contains("mvn -B") && l.contains("package"))
                .filter(l -> !l.strip().startsWith("say"))
                .findFirst()
                .orElseThrow();
        assertTrue(mvn.contains("--no-transfer-progress") && mvn.contains("-Dstyle.color=never"), mvn);
    }

    @Test
    void secondRunReplacesTheCollectorAndStopStopsIt() throws IOException {
        useStandInCollector();

        ScriptRun first = quickstart("--no-build");
        // The collector comes up; the (corrupt) agent then dies, which the script must report.
        assertEquals(1, first.exitCode(), first.output());
        assertTrue(first.stdout().contains("collector is up"), first.output());
        assertTrue(first.stderr().contains("the agent exited"), first.output());
        long firstCollector = pid("collector");
        assertTrue(alive(firstCollector), "collector should keep running after the agent failed");

        String firstLog = Files.readString(repo.resolve("run/agent.log"));
        assertFalse(firstLog.isEmpty(), "the failed agent said why");
        ScriptRun second = quickstart("--no-build");
        assertTrue(second.stdout().contains("stopped collector (pid " + firstCollector + ")"), second.output());
        assertEquals(firstLog, Files.readString(repo.resolve("run/agent.log.1")), "the previous run's log is kept");
        assertFalse(second.output().contains("\u001b["), "no colour codes: " + second.output());
        assertTrue(second.stdout().contains("collector is up"), second.output());
        long secondCollector = pid("collector");
        assertNotEquals(firstCollector, secondCollector);
        assertFalse(alive(firstCollector), "the first collector still runs after the second start");

        ScriptRun stop = quickstart("stop");
        assertEquals(0, stop.exitCode(), stop.output());
        assertFalse(alive(secondCollector), "stop left the collector running");
        assertFalse(Files.exists(repo.resolve("run/collector.pid")));
    }

    @Test
    void stopLeavesAProcessThatReusedTheRecordedPidAlone() throws IOException, InterruptedException {
        Process unrelated = new ProcessBuilder("sleep", "60").start();
        try {
            Files.createDirectories(repo.resolve("run"));
            Files.writeString(repo.resolve("run/collector.pid"), unrelated.pid() + "\n");

            ScriptRun stop = quickstart("stop");

            assertEquals(0, stop.exitCode(), stop.output());
            assertTrue(unrelated.isAlive(), "stop killed a process that is not the collector");
            assertTrue(stop.stdout().contains("removed stale"), stop.output());
            assertFalse(Files.exists(repo.resolve("run/collector.pid")));
        } finally {
            unrelated.destroy();
            unrelated.waitFor();
        }
    }

    @Test
    void portHeldByAnotherProgramIsReported() throws IOException {
        try (ServerSocket squatter = new ServerSocket(Integer.parseInt(environment.get("REDWATCH_HTTP_PORT")))) {
            ScriptRun run = quickstart("--no-build");

            assertEquals(1, run.exitCode(), run.output());
            assertTrue(
                    run.stderr().contains("port " + squatter.getLocalPort() + " on 127.0.0.1 is in use"), run.output());
            assertFalse(Files.exists(repo.resolve("run/collector.pid")), "a collector was started anyway");
        }
    }

    @Test
    void unknownArgumentIsBadUsage() {
        ScriptRun run = quickstart("--fast");

        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.stderr().contains("usage: deploy/quickstart.sh"), run.output());
    }
}
