package io.redwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ScriptSyntaxTest {

    private static List<Path> scripts() throws IOException {
        try (Stream<Path> files = Files.walk(ScriptRun.DEPLOY_DIR)) {
            return files.filter(f -> f.toString().endsWith(".sh"))
                    .filter(f -> !f.startsWith(ScriptRun.DEPLOY_DIR.resolve("target")))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void everyScriptParsesAndIsExecutable() throws IOException {
        List<Path> scripts = scripts();
        assertFalse(scripts.isEmpty(), "no scripts found under " + ScriptRun.DEPLOY_DIR);
        for (Path script : scripts) {
            ScriptRun run = ScriptRun.run("bash", "-n", script.toString());
            assertEquals(0, run.exitCode(), script + ": " + run.output());
            assertTrue(Files.isExecutable(script), script + " is not executable (chmod +x, and commit the mode)");
            assertTrue(
                    Files.readString(script).startsWith("#!/usr/bin/env bash\n"), script + " lacks the bash shebang");
        }
    }

    @Test
    void everyScriptPassesShellcheck() throws IOException {
        assumeTrue(
                ScriptRun.run("sh", "-c", "command -v shellcheck").exitCode() == 0, "shellcheck is not installed here");
        for (Path script : scripts()) {
            ScriptRun run = ScriptRun.run("shellcheck", script.toString());
            assertEquals(0, run.exitCode(), script + ": " + run.output());
        }
    }
}
