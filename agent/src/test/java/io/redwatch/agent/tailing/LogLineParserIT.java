package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.proto.v1.LogEvent;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Real redis-server 7 log files: a master that runs BGSAVE and serves a replica's full sync, the
 * replica, and both shut down by SIGTERM. Every line they write must parse.
 */
class LogLineParserIT {

    @Test
    void parsesEveryLineOfRealMasterAndReplicaLogs() throws Exception {
        // Redis stamps lines with its own local time; it inherits this JVM's environment.
        LogLineParser parser = new LogLineParser(ZoneId.systemDefault());
        long startedMs = System.currentTimeMillis() - 1000; // line stamps are truncated to ms
        List<String> masterLines;
        List<String> replicaLines;
        long masterPid;
        long replicaPid;
        try (RedisServerProcess master = RedisServerProcess.start("--repl-diskless-sync-delay", "0")) {
            masterPid = master.pid();
            master.call("SET", "k", "v");
            master.call("BGSAVE");
            master.awaitLog("Background saving terminated with success", Duration.ofSeconds(20));
            try (RedisServerProcess replica =
                    RedisServerProcess.start("--replicaof", master.host(), String.valueOf(master.port()))) {
                replicaPid = replica.pid();
                replica.awaitLog("MASTER <-> REPLICA sync: Finished with success", Duration.ofSeconds(20));
                replica.terminate();
                replicaLines = lines(replica.log());
            }
            master.terminate();
            masterLines = lines(master.log());
        }
        long endedMs = System.currentTimeMillis() + 1000;

        List<LogEvent> master = parseAll(parser, masterLines, endedMs);
        List<LogEvent> replica = parseAll(parser, replicaLines, endedMs);

        for (LogEvent event : concat(master, replica)) {
            assertTrue(event.getParsed(), event.getRaw());
            assertTrue(event.getTsFromLog(), event.getRaw());
            assertEquals("", event.getWrapper());
            assertTrue(
                    event.getTsMs() >= startedMs - 1000 && event.getTsMs() <= endedMs,
                    "timestamp " + event.getTsMs() + " outside the test's run: " + event.getRaw());
        }
        // Redis 7 stamps carry the year: check them against java.time's own reading.
        DateTimeFormatter stamp = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);
        for (LogEvent event : master) {
            if (!event.getRole().isEmpty()) {
                String text = event.getRaw()
                        .substring(
                                event.getRaw().indexOf(' ') + 1, event.getRaw().indexOf(' ') + 25);
                long expected = ZonedDateTime.of(java.time.LocalDateTime.parse(text, stamp), ZoneId.systemDefault())
                        .toInstant()
                        .toEpochMilli();
                assertEquals(expected, event.getTsMs(), event.getRaw());
            }
        }

        assertTrue(roles(master).containsAll(List.of("M", "C")), roles(master).toString());
        assertTrue(roles(replica).contains("S"), roles(replica).toString());
        assertHas(master, masterPid, "M", LogEvent.Level.NOTICE, "Ready to accept connections");
        assertHas(master, masterPid, "M", LogEvent.Level.NOTICE, "Background saving terminated with success");
        assertHas(master, -1, "C", LogEvent.Level.NOTICE, "DB saved on disk");
        assertHas(master, masterPid, "M", LogEvent.Level.NOTICE, "Full resync requested by replica");
        assertHas(replica, replicaPid, "S", LogEvent.Level.NOTICE, "MASTER <-> REPLICA sync: Finished with success");
        assertHas(replica, replicaPid, "S", LogEvent.Level.WARNING, "Redis is now ready to exit, bye bye...");
        for (List<LogEvent> log : List.of(master, replica)) {
            long pid = log == master ? masterPid : replicaPid;
            LogEvent sigterm = log.stream()
                    .filter(e -> e.getMessage().startsWith("Received SIGTERM scheduling shutdown"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no SIGTERM line"));
            assertEquals(pid, sigterm.getPid());
            assertEquals("", sigterm.getRole());
            assertTrue(sigterm.getRaw().startsWith(pid + ":signal-handler ("), sigterm.getRaw());
            assertEquals(0, sigterm.getTsMs() % 1000, "signal-handler stamps are whole seconds");
        }

        // The same real lines inside each wrapper keep their fields.
        for (LogEvent plain : concat(master, replica)) {
            String line = plain.getRaw();
            String json = "{\"log\":\"" + line.replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00.5Z\"}";
            for (String wrapped : List.of(
                    "redis-1  | " + line, json, "Nov 21 05:30:34 host redis-server[" + plain.getPid() + "]: " + line)) {
                LogEvent event = parser.parse(wrapped, endedMs).build();
                assertTrue(event.getParsed(), wrapped);
                assertEquals(plain.getPid(), event.getPid(), wrapped);
                assertEquals(plain.getRole(), event.getRole(), wrapped);
                assertEquals(plain.getLevel(), event.getLevel(), wrapped);
                assertEquals(plain.getMessage(), event.getMessage(), wrapped);
            }
        }
    }

    private static List<String> lines(String log) {
        List<String> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        assertTrue(lines.size() > 5, "too few log lines:\n" + log);
        return lines;
    }

    private static List<LogEvent> parseAll(LogLineParser parser, List<String> lines, long ref) {
        return lines.stream().map(l -> parser.parse(l, ref).build()).collect(Collectors.toList());
    }

    private static List<LogEvent> concat(List<LogEvent> a, List<LogEvent> b) {
        List<LogEvent> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> roles(List<LogEvent> events) {
        return events.stream().map(LogEvent::getRole).distinct().collect(Collectors.toList());
    }

    private static void assertHas(
            List<LogEvent> events, long pid, String role, LogEvent.Level level, String messageStart) {
        assertTrue(
                events.stream()
                        .anyMatch(e -> e.getMessage().startsWith(messageStart)
                                && (pid < 0 || e.getPid() == pid)
                                && e.getRole().equals(role)
                                && e.getLevel() == level),
                "no " + role + " " + level + " line starting '" + messageStart + "' from pid " + pid + " in\n"
                        + events.stream().map(LogEvent::getRaw).collect(Collectors.joining("\n")));
    }
}
