package io.redwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two .deb packages `mvn package` builds. As root on a machine with dpkg they are installed
 * into the real system with {@code dpkg -i}, checked (files, conffiles, users, enabled units,
 * {@code systemd-analyze verify}; the agent's unit running where systemd runs) and purged again;
 * elsewhere they are unpacked with {@code dpkg-deb -x} and their contents and control data checked.
 */
class DebPackagesIT {
    private static final Map<String, String> USERS = Map.of("agent", "redwatch-agent", "collector", "redwatch");
    private static final boolean SYSTEMD_RUNNING = Files.isDirectory(Path.of("/run/systemd/system"));

    @TempDir
    Path scratch;

    private static Path deb(String component) throws IOException {
        try (Stream<Path> files = Files.list(ScriptRun.DEPLOY_DIR.resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("redwatch-" + component + "_.*_all\\.deb"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(
                            "no redwatch-" + component + "_*_all.deb in deploy/target: run `mvn -B package`"));
        }
    }

    private static boolean onPath(String command) {
        return ScriptRun.run("sh", "-c", "command -v " + command).exitCode() == 0;
    }

    private static boolean root() {
        return "0".equals(ScriptRun.run("id", "-u").stdout().strip());
    }

    @Test
    void controlDataNamesAJava17RuntimeAndTheConffile() throws IOException {
        Assumptions.assumeTrue(onPath("dpkg-deb"), "skipped: dpkg-deb is not installed (not a Debian-like system)");
        for (String component : USERS.keySet()) {
            ScriptRun info =
                    ScriptRun.run("dpkg-deb", "-f", deb(component).toString(), "Package", "Depends", "Architecture");
            assertEquals(0, info.exitCode(), info.output());
            assertTrue(info.stdout().contains("Package: redwatch-" + component), info.stdout());
            assertTrue(
                    info.stdout().contains("Depends: openjdk-17-jre-headless | java17-runtime-headless"),
                    info.stdout());
            assertTrue(info.stdout().contains("Architecture: all"), info.stdout());
            Path control = scratch.resolve(component + "-control");
            ScriptRun x = ScriptRun.run("dpkg-deb", "-e", deb(component).toString(), control.toString());
            assertEquals(0, x.exitCode(), x.output());
            assertEquals(
                    "/etc/redwatch/" + component + ".yaml",
                    Files.readString(control.resolve("conffiles")).strip());
            for (String script : List.of("postinst", "prerm", "postrm")) {
                assertTrue(Files.isExecutable(control.resolve(script)), script);
                ScriptRun syntax =
                        ScriptRun.run("sh", "-n", control.resolve(script).toString());
                assertEquals(0, syntax.exitCode(), script + ": " + syntax.output());
            }
            Path data = scratch.resolve(component + "-data");
            ScriptRun unpack = ScriptRun.run("dpkg-deb", "-x", deb(component).toString(), data.toString());
            assertEquals(0, unpack.exitCode(), unpack.output());
            checkFiles(data, component);
        }
    }

    @Test
    void bothInstallIntoThisSystemAndPurgeCleanly() throws Exception {
        Assumptions.assumeTrue(
                onPath("dpkg") && root(),
                "skipped: installing into the real system needs root and dpkg (the contents are checked by controlDataNamesAJava17RuntimeAndTheConffile)");
        for (String component : USERS.keySet()) {
            if (ScriptRun.run("dpkg", "-s", "redwatch-" + component).exitCode() == 0) {
                // left by an interrupted run of this test; a fresh install is what is tested
                ScriptRun.run(List.of("dpkg", "--purge", "redwatch-" + component), Map.of(), 120);
            }
        }
        boolean optExisted = Files.exists(Path.of("/opt/redwatch"));
        ScriptRun install = ScriptRun.run(
                List.of("dpkg", "-i", deb("agent").toString(), deb("collector").toString()), Map.of(), 300);
        try {
            assertEquals(0, install.exitCode(), install.output());
            for (String component : USERS.keySet()) {
                String user = USERS.get(component);
                checkFiles(Path.of("/"), component);
                ScriptRun passwd = ScriptRun.run("getent", "passwd", user);
                assertEquals(
                        0, passwd.exitCode(), "postinst created the system user " + user + ": " + install.output());
                String[] entry = passwd.stdout().strip().split(":");
                assertTrue(Integer.parseInt(entry[2]) < 1000, "a system uid: " + passwd.stdout());
                assertTrue(entry[6].endsWith("nologin"), "no login shell: " + passwd.stdout());
                PosixFileAttributes config = Files.readAttributes(
                        Path.of("/etc/redwatch/" + component + ".yaml"), PosixFileAttributes.class);
                assertEquals("root", config.owner().getName());
                assertEquals(user, config.group().getName(), "the service's group reads its config");
                assertEquals("rw-r-----", PosixFilePermissions.toString(config.permissions()));
                Path wants = Path.of("/etc/systemd/system/multi-user.target.wants/redwatch-" + component + ".service");
                assertTrue(Files.isSymbolicLink(wants), "the unit is enabled: " + wants);
                if (onPath("systemd-analyze")) {
                    ScriptRun verify = ScriptRun.run(
                            "systemd-analyze", "verify", "/lib/systemd/system/redwatch-" + component + ".service");
                    assertEquals(0, verify.exitCode(), verify.output());
                }
                ScriptRun conffiles = ScriptRun.run("dpkg-query", "-W", "-f=${Conffiles}", "redwatch-" + component);
                assertTrue(conffiles.stdout().contains("/etc/redwatch/" + component + ".yaml"), conffiles.output());
            }
            if (SYSTEMD_RUNNING) {
                // The agent runs with its example config (it retries until a collector answers); the
                // collector's example needs a database password first, so only its enablement is checked.
                ScriptRun active = ScriptRun.run("systemctl", "is-active", "redwatch-agent");
                assertEquals("active", active.stdout().strip(), active.output());
            } else {
                assertTrue(
                        install.stdout().contains("systemd is not running here"),
                        "postinst says why nothing started: " + install.output());
            }

            ScriptRun remove =
                    ScriptRun.run(List.of("dpkg", "-r", "redwatch-agent", "redwatch-collector"), Map.of(), 120);
            assertEquals(0, remove.exitCode(), remove.output());
            for (String component : USERS.keySet()) {
                assertFalse(
                        Files.exists(Path.of("/opt/redwatch/redwatch-" + component + ".jar")), "remove takes the jar");
                assertFalse(
                        Files.exists(Path.of("/lib/systemd/system/redwatch-" + component + ".service")),
                        "remove takes the unit");
                assertTrue(
                        Files.exists(Path.of("/etc/redwatch/" + component + ".yaml")),
                        "remove keeps the edited config (a conffile)");
            }
        } finally {
            ScriptRun purge =
                    ScriptRun.run(List.of("dpkg", "--purge", "redwatch-agent", "redwatch-collector"), Map.of(), 120);
            assertEquals(0, purge.exitCode(), purge.output());
        }
        for (String component : USERS.keySet()) {
            assertFalse(Files.exists(Path.of("/etc/redwatch/" + component + ".yaml")), "purge takes the config");
            assertFalse(
                    Files.exists(
                            Path.of("/etc/systemd/system/multi-user.target.wants/redwatch-" + component + ".service"),
                            LinkOption.NOFOLLOW_LINKS),
                    "purge takes the enablement");
            assertFalse(
                    Files.exists(Path.of(component.equals("agent") ? "/var/lib/redwatch-agent" : "/var/lib/redwatch")),
                    "purge takes the state");
            assertTrue(ScriptRun.run("dpkg", "-s", "redwatch-" + component).exitCode() != 0, "not installed any more");
        }
        if (!optExisted) assertFalse(Files.exists(Path.of("/opt/redwatch")), "no empty /opt/redwatch left behind");
    }

    /** The jar (runnable), the unit and the config, where the unit expects them. */
    private static void checkFiles(Path root, String component) throws IOException {
        Path jar = root.resolve("opt/redwatch/redwatch-" + component + ".jar");
        try (JarFile j = new JarFile(jar.toFile())) {
            String main = j.getManifest().getMainAttributes().getValue("Main-Class");
            assertTrue(main != null && main.startsWith("io.redwatch." + component), "runnable jar: Main-Class " + main);
        }
        String unit = Files.readString(root.resolve("lib/systemd/system/redwatch-" + component + ".service"));
        assertTrue(
                unit.contains("-jar /opt/redwatch/redwatch-" + component + ".jar run --config /etc/redwatch/"
                        + component + ".yaml"),
                unit);
        assertTrue(unit.contains("User=" + USERS.get(component) + "\n"), "the unit runs as the user postinst creates");
        assertTrue(
                Files.readString(root.resolve("etc/redwatch/" + component + ".yaml"))
                                .length()
                        > 100,
                "the example config");
    }
}
