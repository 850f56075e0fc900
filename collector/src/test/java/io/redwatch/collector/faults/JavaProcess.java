package io.redwatch.collector.faults;

import io.redwatch.agent.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a {@code java -jar} process with its stdout and stderr in a log file under target/.
 * {@link #kill9} is SIGKILL ({@link Process#destroyForcibly}), {@link #stop} is SIGTERM and waits.
 * A JVM shutdown hook kills it if the test never does, so no run outlives the test JVM.
 */
final class JavaProcess {
    private final String name;
    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, name + "-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code java [jvmArgs] -jar jar [args]}, output appended to {@code log}.
     */
    static JavaProcess start(String name, Path jar, List<String> jvmArgs, List<String> args, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: the fault tests run the built jars; run `mvn -B verify` "
                            + "(failsafe runs after package) or `mvn -B package -DskipTests` first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small and quick to start: the tests start a few dozen JVMs on two shared cores.
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new JavaProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + cmd + ")", e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path logFile() {
        return log;
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The last lines of the log, for failure messages. */
    String logTail() {
        String[] lines = log().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, lines.length - 25); i < lines.length; i++)
            b.append("\n  | ").append(lines[i]);
        return b.toString();
    }

    /** Waits until the log contains {@code text}; fails at once if the process exits first. */
    void awaitLog(String text, Duration timeout) {
        Await.until(
                name + " logs '" + text + "'",
                timeout,
                () -> {
                    if (log().contains(text)) return true;
                    if (process.isAlive()) return false;
                    // It exited: a last line written between the read above and its exit still counts.
                    if (log().contains(text)) return true;
                    throw new AssertionError(name + " exited with " + process.exitValue() + " before logging '" + text
                            + "' (" + log + "):" + logTail());
                },
                () -> "(" + log + "):" + logTail());
    }

    /** SIGKILL, and waits until it is gone. */
    void kill9() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM, and waits for the orderly exit (SIGKILL after {@code grace}); returns the exit code. */
    int stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                awaitExit(Duration.ofSeconds(10));
                throw new AssertionError(
                        name + " did not stop within " + grace.toSeconds() + " s of SIGTERM; killed" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return process.exitValue();
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still runs after " + timeout.toSeconds() + " s" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
        return process.exitValue();
    }

    /** Kills it if it still runs (teardown: whatever the test did). */
    void destroy() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook runs anyway
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
