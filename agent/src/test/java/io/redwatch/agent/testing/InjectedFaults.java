package io.redwatch.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Faults inside a real redis-server, on and off: fork() failing with ENOMEM, so that tests reach
 * Redis's own fork-failure paths (BGSAVE, AOF rewrite, MISCONF) as a host short of memory would, and
 * pipes leaking into the process as in seed 003. The LD_PRELOAD library
 * ({@code testing/redis_faults.c} on the test class path) is compiled with gcc when a test asks for
 * it; fork() fails while the trigger file exists.
 *
 * <pre>{@code
 * InjectedFaults forks = InjectedFaults.compile(dir);
 * try (RedisServerProcess redis = RedisServerProcess.launch().environment(forks.environment()).start()) {
 *   forks.failForks();   // BGSAVE now logs "Can't save in background: fork: Cannot allocate memory"
 *   forks.allowForks();
 * }
 * }</pre>
 */
public final class InjectedFaults {
    private final Path library;
    private final Path trigger;
    private final Path pipes;

    private InjectedFaults(Path library, Path trigger, Path pipes) {
        this.library = library;
        this.trigger = trigger;
        this.pipes = pipes;
    }

    /** Compiles the library into {@code dir}; forks succeed until {@link #failForks}. */
    public static InjectedFaults compile(Path dir) {
        try {
            Files.createDirectories(dir);
            Path source = dir.resolve("redis_faults.c");
            try (InputStream in = InjectedFaults.class.getClassLoader().getResourceAsStream("testing/redis_faults.c")) {
                if (in == null) throw new IllegalStateException("testing/redis_faults.c is not on the test class path");
                Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path library = dir.resolve("libredwatch_faults.so");
            Path log = dir.resolve("gcc.out");
            Process gcc = new ProcessBuilder(
                            "gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString(), "-ldl")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IllegalStateException(
                        "gcc could not build the fork-failure library (apt-get install gcc): " + Files.readString(log));
            }
            return new InjectedFaults(
                    library, dir.resolve("fork-fails-while-this-exists"), dir.resolve("pipes-to-leak"));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot build the fork-failure library in " + dir + " (is gcc installed? apt-get install gcc)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling the fork-failure library", e);
        }
    }

    /** What a redis-server's environment needs to carry the library. */
    public Map<String, String> environment() {
        return Map.of(
                "LD_PRELOAD",
                library.toString(),
                "REDWATCH_FORK_FAIL_FILE",
                trigger.toString(),
                "REDWATCH_PIPE_LEAK_FILE",
                pipes.toString());
    }

    /** From now on every fork() of the servers started with {@link #environment} fails with ENOMEM. */
    public void failForks() {
        try {
            Files.writeString(trigger, "fork() fails with ENOMEM while this file exists\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + trigger, e);
        }
    }

    /**
     * Makes the servers started with {@link #environment} hold {@code count} leaked pipes (2 fds
     * each) from their next fork() call on: run BGSAVE (or anything that forks) after this. 0 closes
     * them again.
     */
    public void leakPipes(int count) {
        try {
            Files.writeString(pipes, count + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pipes, e);
        }
    }

    /** Forks succeed again. */
    public void allowForks() {
        try {
            Files.deleteIfExists(trigger);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + trigger, e);
        }
    }
}
