package io.redwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InstallScriptTest {

    private static final Path INSTALL = ScriptRun.DEPLOY_DIR.resolve("install.sh");

    @TempDir
    Path root;

    @TempDir
    Path jars;

    private Path dummyJar(String content) throws IOException {
        Path jar = jars.resolve(content.hashCode() + ".jar");
        Files.writeString(jar, content);
        return jar;
    }

    private ScriptRun install(String component, Path jar) {
        return ScriptRun.run("bash", INSTALL.toString(), "--root", root.toString(), component, "--jar", jar.toString());
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "collector"})
    void installsJarUnitAndConfigWithTheirModes(String component) throws IOException {
        Path jar = dummyJar("jar of " + component);

        ScriptRun run = install(component, jar);

        assertEquals(0, run.exitCode(), run.output());
        Path installedJar = root.resolve("opt/redwatch/redwatch-" + component + ".jar");
        Path unit = root.resolve("etc/systemd/system/redwatch-" + component + ".service");
        Path config = root.resolve("etc/redwatch/" + component + ".yaml");
        assertEquals("jar of " + component, Files.readString(installedJar));
        assertEquals("rw-r--r--", mode(installedJar));
        assertEquals(
                Files.readString(ScriptRun.DEPLOY_DIR.resolve("systemd/redwatch-" + component + ".service")),
                Files.readString(unit));
        assertEquals("rw-r--r--", mode(unit));
        assertEquals(
                Files.readString(ScriptRun.DEPLOY_DIR.resolve("config/" + component + ".yaml")),
                Files.readString(config));
        // The config names password files and hosts: not world-readable.
        assertEquals("rw-r-----", mode(config));
        for (String dir : List.of("opt/redwatch", "etc/systemd/system", "etc/redwatch")) {
            assertEquals("rwxr-xr-x", mode(root.resolve(dir)), dir);
        }
        assertTrue(run.stdout().contains("systemctl daemon-reload"), run.output());
        assertTrue(run.stdout().contains("systemctl enable --now redwatch-" + component), run.output());
        // No /etc/passwd in this root: the user cannot be made here, and the script says how to make it.
        assertTrue(run.stdout().contains("notice: user redwatch"), run.output());
        assertFalse(
                Files.exists(root.resolve("opt/redwatch/.redwatch-" + component + ".jar.new")),
                "temporary jar left behind");
    }

    @Test
    void secondInstallReplacesJarButKeepsEditedConfig() throws IOException {
        assertEquals(0, install("agent", dummyJar("version 1")).exitCode());
        Path config = root.resolve("etc/redwatch/agent.yaml");
        String edited = Files.readString(config).replace("127.0.0.1:7400", "collector.example.net:7400");
        Files.writeString(config, edited);

        ScriptRun second = install("agent", dummyJar("version 2"));

        assertEquals(0, second.exitCode(), second.output());
        assertEquals(edited, Files.readString(config));
        assertEquals("rw-r-----", mode(config));
        assertEquals("version 2", Files.readString(root.resolve("opt/redwatch/redwatch-agent.jar")));
        assertTrue(second.stdout().contains("kept existing"), second.output());
    }

    @Test
    void createsTheSystemUserInsideARootThatHasAccountFiles() throws IOException {
        Path probe = Files.createFile(root.resolve("probe"));
        assumeTrue(
                (Integer) Files.getAttribute(probe, "unix:uid") == 0,
                "useradd --root needs root; tests run as non-root");
        Files.createDirectories(root.resolve("etc"));
        for (String file : List.of("passwd", "group", "shadow", "gshadow")) {
            Files.createFile(root.resolve("etc").resolve(file));
        }

        ScriptRun run = install("collector", dummyJar("collector"));

        assertEquals(0, run.exitCode(), run.output());
        String passwd = Files.readString(root.resolve("etc/passwd"));
        assertTrue(passwd.contains("redwatch:x:"), passwd);
        assertTrue(passwd.contains(":/var/lib/redwatch-collector:/usr/sbin/nologin"), passwd);
        String gid = Files.readString(root.resolve("etc/group"))
                .lines()
                .filter(line -> line.startsWith("redwatch:"))
                .findFirst()
                .orElseThrow()
                .split(":")[2];
        // The config belongs to the group as numbered inside the root, not to a host group of that name.
        assertEquals(
                Integer.parseInt(gid), Files.getAttribute(root.resolve("etc/redwatch/collector.yaml"), "unix:gid"));

        ScriptRun again = install("collector", dummyJar("collector"));
        assertEquals(0, again.exitCode(), again.output());
        assertEquals(
                1,
                Files.readString(root.resolve("etc/passwd"))
                        .lines()
                        .filter(l -> l.startsWith("redwatch:"))
                        .count());
    }

    @Test
    void missingJarIsAClearFailure() {
        Path missing = root.resolve("no-such.jar");

        ScriptRun run = install("agent", missing);

        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.stderr().contains("jar not found at " + missing + ": run mvn -B package first"), run.output());
        assertFalse(Files.exists(root.resolve("etc")), "nothing may be installed when the jar is missing");
    }

    @Test
    void badUsageExitsWithTwo() throws IOException {
        Path jar = dummyJar("x");
        for (List<String> args : List.<List<String>>of(
                List.of(), List.of("web"), List.of("agent", "collector"), List.of("agent", "--jar"))) {
            List<String> command =
                    new java.util.ArrayList<>(List.of("bash", INSTALL.toString(), "--root", root.toString()));
            command.addAll(args);
            ScriptRun run = ScriptRun.run(command, java.util.Map.of(), 30);
            assertEquals(2, run.exitCode(), args + ": " + run.output());
            assertTrue(run.stderr().contains("usage: install.sh"), run.output());
        }
        assertFalse(Files.exists(root.resolve("opt")), "nothing may be installed on bad usage, jar " + jar);
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "collector"})
    void systemdAcceptsTheInstalledUnit(String component) throws IOException {
        assumeTrue(
                ScriptRun.run("sh", "-c", "command -v systemd-analyze").exitCode() == 0,
                "systemd-analyze is not installed here");
        // verify also checks that ExecStart's binary exists on this machine.
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/java")), "/usr/bin/java (the units' ExecStart) is missing here");
        assertEquals(0, install(component, dummyJar(component)).exitCode());
        Path unit = root.resolve("etc/systemd/system/redwatch-" + component + ".service");

        ScriptRun verify = ScriptRun.run("systemd-analyze", "verify", unit.toString());

        assertEquals(0, verify.exitCode(), verify.output());
        // Unknown or misplaced keys are only warnings to verify: any line naming our unit is a defect.
        String all = verify.stdout() + verify.stderr();
        assertFalse(all.contains("redwatch-" + component), verify.output());
    }
}
