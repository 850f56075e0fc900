package io.redwatch.collector.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An agent running as its own JVM from the built jar, watching one Redis and following one log
 * file, with its own state directory (saved log positions) that survives its restarts.
 */
final class AgentProcess {
    private final String agentId;
    private final String collectorAddress;
    private final String redisUrl;
    private final Path logFile;
    private final Path stateDir;
    private final Path config;
    private final Path logDir;
    private final List<String> jvmArgs;
    private JavaProcess process;
    private int runs;

    /** The position the agent saved for its log file: the file's inode and the offset to resume at. */
    record SavedPosition(long inode, long offset) {}

    /**
     * @param config an agent.yaml for settings that have no flag, or null
     */
    AgentProcess(
            String agentId,
            String collectorAddress,
            String redisUrl,
            Path logFile,
            Path stateDir,
            Path config,
            Path logDir,
            List<String> jvmArgs) {
        this.agentId = agentId;
        this.collectorAddress = collectorAddress;
        this.redisUrl = redisUrl;
        this.logFile = logFile;
        this.stateDir = stateDir;
        this.config = config;
        this.logDir = logDir;
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** Starts a run and waits until it has started its threads. */
    AgentProcess start() {
        if (process != null && process.isAlive()) throw new IllegalStateException(agentId + " is already running");
        runs++;
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--collector",
                collectorAddress,
                "--redis",
                redisUrl,
                "--log-file",
                logFile.toString(),
                "--interval",
                "1s",
                "--state-dir",
                stateDir.toString(),
                "--agent-id",
                agentId));
        if (config != null) args.addAll(List.of("--config", config.toString()));
        process = JavaProcess.start(
                agentId, ModuleDir.agentJar(), jvmArgs, args, logDir.resolve(agentId + "-" + runs + ".log"));
        process.awaitLog("redwatch agent " + agentId + " watching", Duration.ofSeconds(60));
        return this;
    }

    AgentProcess restart() {
        return start();
    }

    void kill9() {
        process.kill9();
    }

    /** SIGTERM and an orderly exit (exit code 0 expected). */
    int stop() {
        return process.stop(Duration.ofSeconds(20));
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    JavaProcess process() {
        return process;
    }

    String agentId() {
        return agentId;
    }

    /** Resident memory of the running agent, from /proc. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the RSS of " + process, e);
        }
        throw new AssertionError("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /**
     * What the agent saved for its log file, read from its state directory as a restarted agent
     * would read it: the {@code tail-*.pos} file's inode and offset. Empty when nothing was saved.
     */
    Optional<SavedPosition> savedPosition() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(stateDir, "tail-*.pos")) {
            d.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + stateDir, e);
        }
        if (files.isEmpty()) return Optional.empty();
        if (files.size() > 1) throw new AssertionError("one log file followed, but several position files: " + files);
        try {
            long inode = -1;
            long offset = -1;
            for (String line : Files.readAllLines(files.get(0), StandardCharsets.UTF_8)) {
                if (line.startsWith("inode=")) inode = Long.parseUnsignedLong(line.substring(6));
                if (line.startsWith("offset=")) offset = Long.parseLong(line.substring(7));
            }
            if (inode < 0 || offset < 0) throw new AssertionError("no inode or offset in " + files.get(0));
            return Optional.of(new SavedPosition(inode, offset));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + files.get(0), e);
        }
    }

    void destroy() {
        if (process != null) process.destroy();
    }

    @Override
    public String toString() {
        return agentId + " (run " + runs + ")";
    }
}
