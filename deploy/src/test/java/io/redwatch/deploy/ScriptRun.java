package io.redwatch.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The outcome of running a command to completion: exit code and both output streams. */
record ScriptRun(int exitCode, String stdout, String stderr) {

    /** Where the deploy/ folder is: Maven runs tests with the module directory as working directory. */
    static final Path DEPLOY_DIR = Path.of("").toAbsolutePath();

    static ScriptRun run(List<String> command, Map<String, String> env, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("redwatch-deploy-out", ".txt");
            Path err = Files.createTempFile("redwatch-deploy-err", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(
                                Path.of("/dev/null").toFile()));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(command + " did not finish within " + timeoutSeconds
                            + " s; output so far:\n" + Files.readString(out) + Files.readString(err));
                }
                return new ScriptRun(
                        process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    static ScriptRun run(String... command) {
        return run(List.of(command), Map.of(), 60);
    }

    /** Both streams, for assertion messages. */
    String output() {
        return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
}
