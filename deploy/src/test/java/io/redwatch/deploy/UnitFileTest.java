package io.redwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the units promise the programs they start: the JVM flags work, the agent can see Redis. */
class UnitFileTest {

    /** The [Service] directives of a unit, last assignment wins (as in systemd for these keys). */
    private static Map<String, String> serviceDirectives(String component) throws IOException {
        Map<String, String> directives = new LinkedHashMap<>();
        String section = "";
        for (String line :
                Files.readAllLines(ScriptRun.DEPLOY_DIR.resolve("systemd/redwatch-" + component + ".service"))) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (trimmed.startsWith("[")) {
                section = trimmed;
            } else if (section.equals("[Service]")) {
                int eq = trimmed.indexOf('=');
                directives.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
            }
        }
        return directives;
    }

    /** The JVM flags of the unit's JAVA_OPTS, with systemd's %% unescaped. */
    private static List<String> javaOpts(String component) throws IOException {
        String environment = serviceDirectives(component).get("Environment");
        assertTrue(environment.startsWith("\"JAVA_OPTS=") && environment.endsWith("\""), environment);
        String opts = environment
                .substring("\"JAVA_OPTS=".length(), environment.length() - 1)
                .replace("%%", "%");
        return Arrays.asList(opts.split(" +"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "collector"})
    void theJvmAcceptsTheUnitsFlags(String component) throws IOException {
        assertTrue(serviceDirectives(component)
                .get("ExecStart")
                .startsWith("/usr/bin/java $JAVA_OPTS -jar /opt/redwatch/redwatch-" + component
                        + ".jar run --config /etc/redwatch/" + component + ".yaml"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOpts(component));
        command.add("-version");

        ScriptRun run = ScriptRun.run(command, Map.of(), 60);

        assertEquals(0, run.exitCode(), "flags " + command + "\n" + run.output());
    }

    /** A heap dump holds every secret the process read (database password, tokens, SMTP login). */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "collector"})
    void noHeapDumpByDefaultButTheJvmStillExitsOnOutOfMemory(String component) throws IOException {
        List<String> opts = javaOpts(component);
        assertTrue(opts.stream().noneMatch(o -> o.contains("HeapDump")), opts.toString());
        assertTrue(
                opts.contains("-XX:+ExitOnOutOfMemoryError"),
                "systemd restarts it instead of a half-dead JVM: " + opts);
    }

    @Test
    void agentFlagsKeepTheHeapSmall() throws IOException {
        assertTrue(
                javaOpts("agent").containsAll(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")),
                javaOpts("agent").toString());
    }

    @Test
    void agentSandboxLeavesProcAndRedisVisible() throws IOException {
        Map<String, String> agent = serviceDirectives("agent");
        // Each of these would hide /proc/<redis pid>/fd or /proc/sys/vm from the agent.
        assertFalse(
                Set.of("invisible", "noaccess", "ptraceable").contains(agent.getOrDefault("ProtectProc", "default")),
                agent.toString());
        assertFalse("pid".equals(agent.get("ProcSubset")), agent.toString());
        assertFalse("yes".equals(agent.get("PrivateUsers")), agent.toString());
        for (String key : List.of("AmbientCapabilities", "CapabilityBoundingSet")) {
            List<String> caps = Arrays.asList(agent.getOrDefault(key, "").split(" +"));
            assertTrue(caps.containsAll(List.of("CAP_DAC_READ_SEARCH", "CAP_SYS_PTRACE")), key + "=" + caps);
        }
        assertEquals("redwatch-agent", agent.get("User"));
        assertEquals("redwatch-agent", agent.get("StateDirectory"));
    }

    @Test
    void collectorCanHoldThousandsOfAgentConnections() throws IOException {
        Map<String, String> collector = serviceDirectives("collector");
        assertEquals("redwatch", collector.get("User"));
        assertTrue(Integer.parseInt(collector.get("LimitNOFILE")) >= 16384, collector.get("LimitNOFILE"));
    }
}
