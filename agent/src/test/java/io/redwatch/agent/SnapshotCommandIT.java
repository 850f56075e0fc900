package io.redwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.agent.testing.CommandRun;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import io.redwatch.proto.v1.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code redwatch-agent snapshot} and {@code run} in-process, as a user runs them, against a real redis-server. */
class SnapshotCommandIT {
    /** The start of one Redis log entry (old "[pid] " and new "pid:R " forms), counted independently of the parser. */
    private static final Pattern ENTRY_START = Pattern.compile(
            "(?<=^|\\s)(?:\\d+:[MSCX]|\\[\\d+\\]) \\d{2} [A-Z][a-z]{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} [-.*#] ");

    static RedisServerProcess redis;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.close();
    }

    private static CommandRun execute(String... args) {
        return CommandRun.of(AgentMain::execute, args);
    }

    private static Snapshot parse(String json) throws IOException {
        Snapshot.Builder b = Snapshot.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }

    private Path resource(String name) throws IOException {
        Path p = tmp.resolve(Path.of(name).getFileName());
        try (InputStream in = getClass().getResourceAsStream("/" + name)) {
            if (in == null) throw new IOException("test resource /" + name + " is missing");
            Files.copy(in, p);
        }
        return p;
    }

    private static List<Record> records(Snapshot s, Record.KindCase kind) {
        return s.getRecordsList().stream().filter(r -> r.getKindCase() == kind).toList();
    }

    /**
     * Counts a process's fds by kind with ls and find, as an operator would: kind by the link text,
     * "file" = a regular file through the link, "other" = any other path.
     */
    private static Map<String, Integer> lsFds(long pid) throws IOException, InterruptedException {
        String listing = "";
        // ls fails ("l?????????") when an fd closes between its readdir and readlink, as the
        // snapshot's own connection does while redis closes it: list again.
        for (int attempt = 1; ; attempt++) {
            Process ls = new ProcessBuilder("ls", "-l", "/proc/" + pid + "/fd").start();
            listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean listed = ls.waitFor(10, TimeUnit.SECONDS) && ls.exitValue() == 0;
            if (listed) break;
            assertTrue(attempt < 20, "ls -l /proc/" + pid + "/fd kept failing:\n" + listing);
            Thread.sleep(50);
        }
        Process find = new ProcessBuilder("find", "-L", "/proc/" + pid + "/fd", "-mindepth", "1", "-type", "f").start();
        int files = (int) new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .count();
        assertTrue(find.waitFor(10, TimeUnit.SECONDS));
        Map<String, Integer> m = new TreeMap<>(Map.of("total", 0, "socket", 0, "pipe", 0, "anon_inode", 0, "path", 0));
        for (String line : listing.split("\n")) {
            int arrow = line.indexOf(" -> ");
            if (arrow < 0) continue;
            String target = line.substring(arrow + 4);
            String kind = target.startsWith("socket:")
                    ? "socket"
                    : target.startsWith("pipe:") ? "pipe" : target.startsWith("anon_inode:") ? "anon_inode" : "path";
            m.merge(kind, 1, Integer::sum);
            m.merge("total", 1, Integer::sum);
        }
        m.put("file", files);
        m.put("other", m.remove("path") - files);
        return m;
    }

    private static Map<String, Integer> counts(ProcessFacts p) {
        return new TreeMap<>(Map.of(
                "total",
                p.getFdTotal(),
                "socket",
                p.getFdSockets(),
                "pipe",
                p.getFdPipes(),
                "anon_inode",
                p.getFdAnonInodes(),
                "file",
                p.getFdFiles(),
                "other",
                p.getFdOther()));
    }

    /** Waits until the fd picture stops changing (the snapshot's own connection has been closed by redis). */
    private static Map<String, Integer> settledFds(Map<String, Integer> expected)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Map<String, Integer> now;
        do {
            now = lsFds(redis.pid());
            if (now.equals(expected)) return now;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return now;
    }

    private static List<Socket> openClients(int n) throws IOException {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket(redis.host(), redis.port());
            clients.add(s);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] pong = s.getInputStream().readNBytes(7);
            // an answered PING proves redis accepted the connection and holds its fd
            assertEquals("+PONG\r\n", new String(pong, StandardCharsets.US_ASCII));
        }
        return clients;
    }

    @Test
    void liveJsonSnapshotParsesBackAndCountsFdsByKindAsLsDoes() throws IOException, InterruptedException {
        List<Socket> clients = openClients(10);
        try {
            Map<String, Integer> before = lsFds(redis.pid());

            CommandRun r = execute("snapshot", "--redis", "redis://127.0.0.1:" + redis.port(), "--json");

            Map<String, Integer> after = settledFds(before);
            assertEquals(0, r.exit(), r.err());
            assertEquals(before, after, "nothing else changed redis's fds around the snapshot");
            Snapshot s = parse(r.out());

            ProcessFacts p = records(s, Record.KindCase.PROCESS).get(0).getProcess();
            assertEquals(redis.pid(), p.getPid());
            assertEquals("info", p.getPidSource());
            assertEquals("", p.getError());
            // While it read the fds the snapshot held one connection of its own, closed before the command returned.
            Map<String, Integer> expected = new TreeMap<>(before);
            expected.merge("socket", 1, Integer::sum);
            expected.merge("total", 1, Integer::sum);
            assertEquals(expected, counts(p));
            assertTrue(p.getFdSockets() >= 12, "10 clients, the snapshot, the listener: " + counts(p));

            PingResult ping = records(s, Record.KindCase.PING).get(0).getPing();
            assertEquals(PingResult.Outcome.PONG, ping.getOutcome());
            InfoSample info = records(s, Record.KindCase.INFO).get(0).getInfo();
            assertEquals("", info.getError());
            assertEquals(
                    "11", InfoParser.field(info, "connected_clients").orElseThrow(), "10 clients and the snapshot");
            assertEquals(1, records(s, Record.KindCase.HOST).size(), "a live snapshot describes this host");
            assertEquals(1, records(s, Record.KindCase.CONFIG).size());
            assertEquals(
                    AgentMain.hostname() + ":" + redis.port(), info.getRef().getInstance());
        } finally {
            for (Socket c : clients) c.close();
        }
    }

    @Test
    void humanOutputShowsThePingReplyAndTheFdCounts() throws IOException, InterruptedException {
        List<Socket> clients = openClients(10);
        try {
            Map<String, Integer> before = lsFds(redis.pid());

            CommandRun r = execute("snapshot", "--redis", "redis://127.0.0.1:" + redis.port());

            assertEquals(before, settledFds(before));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("  PING: PONG (PONG, "), r.out());
            String fds = "fds " + (before.get("total") + 1) + ": sockets " + (before.get("socket") + 1)
                    + ", pipes " + before.get("pipe") + ", files " + before.get("file")
                    + ", anon_inode " + before.get("anon_inode") + ", other " + before.get("other") + ";";
            assertTrue(r.out().contains(fds), "expected '" + fds + "' in\n" + r.out());
            assertTrue(r.out().contains("connected_clients:11"), r.out());
        } finally {
            for (Socket c : clients) c.close();
        }
    }

    @Test
    void pastedInfoAndRunTogetherLogGiveFieldsAndOneEventPerEntryAndNoHostFacts() throws IOException {
        Path info = resource("info/redis-7.0.15-master-everything.txt");
        Path log = resource("logs/seed-004.log");

        CommandRun r = execute("snapshot", "--info-file", info.toString(), "--log-file", log.toString(), "--json");

        assertEquals(0, r.exit(), r.err());
        Snapshot s = parse(r.out());
        InfoSample sample = records(s, Record.KindCase.INFO).get(0).getInfo();
        assertEquals("file", sample.getSource());
        assertEquals("", sample.getError());
        // every key:value line of the paste, read here with a plain split, is a field with the same value
        int lines = 0;
        for (String line : Files.readString(info).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.isBlank() || line.startsWith("#") || colon < 0) continue;
            lines++;
            assertEquals(
                    line.substring(colon + 1),
                    InfoParser.field(sample, line.substring(0, colon)).orElse(null),
                    line);
        }
        assertTrue(lines > 100, "the fixture is a whole INFO everything");
        String port = InfoParser.field(sample, "tcp_port").orElseThrow();
        assertEquals("pasted:" + port, sample.getRef().getInstance());

        List<LogEvent> events =
                records(s, Record.KindCase.LOG).stream().map(Record::getLog).toList();
        assertEquals(entryCount(log), events.size(), "seed 004 is one line holding several entries");
        assertTrue(events.size() > 1);
        for (LogEvent e : events) {
            assertTrue(e.getParsed(), e.getRaw());
            assertEquals(1, countEntries(e.getRaw()), "one entry per event: " + e.getRaw());
            assertEquals("pasted:" + port, e.getRef().getInstance());
        }
        assertEquals(
                "Can't save in background: fork: Cannot allocate memory",
                events.get(0).getMessage());
        assertEquals(LogEvent.Level.WARNING, events.get(0).getLevel());
        assertEquals("10000 changes in 60 seconds. Saving...", events.get(1).getMessage());

        assertTrue(records(s, Record.KindCase.HOST).isEmpty(), "pasted data is from another host");
        assertTrue(records(s, Record.KindCase.PROCESS).isEmpty());
        assertTrue(records(s, Record.KindCase.PING).isEmpty());
    }

    @Test
    void everyLineOfAPastedLogIsAnEvent() throws IOException {
        Path log = resource("logs/seed-000.log");

        CommandRun r = execute("snapshot", "--log-file", log.toString(), "--json");

        assertEquals(0, r.exit(), r.err());
        List<LogEvent> events = records(parse(r.out()), Record.KindCase.LOG).stream()
                .map(Record::getLog)
                .toList();
        assertEquals(entryCount(log), events.size());
        assertEquals(Files.readAllLines(log).stream().filter(l -> !l.isBlank()).count(), events.size());
        assertTrue(events.stream().allMatch(LogEvent::getParsed));
        assertTrue(events.stream().anyMatch(e -> e.getRole().equals("S")));
        assertTrue(events.stream().anyMatch(e -> e.getRole().isEmpty()), "the old [pid] form has no role letter");
    }

    @Test
    void hostFactsOnlyWhenAskedFor() throws IOException {
        Path info = resource("info/seed-000-clients-memory.txt");

        CommandRun r = execute("snapshot", "--info-file", info.toString(), "--host-facts", "--json");

        assertEquals(0, r.exit(), r.err());
        Snapshot s = parse(r.out());
        assertEquals(1, records(s, Record.KindCase.HOST).size());
        assertEquals(
                "29281598848",
                InfoParser.field(records(s, Record.KindCase.INFO).get(0).getInfo(), "used_memory")
                        .orElseThrow(),
                "the paste's tab indentation is not part of the field");
    }

    @Test
    void aMissingFileIsExit2WithOneLineNamingIt() {
        Path missing = tmp.resolve("no-such-info.txt");

        CommandRun r = execute("snapshot", "--info-file", missing.toString(), "--json");

        assertEquals(2, r.exit());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(missing.toString()), err);
        assertTrue(err.contains("no such file"), err);
    }

    @Test
    void aMissingLogFileIsExit2Too() throws IOException {
        Path info = resource("info/seed-000-clients-memory.txt");
        Path missing = tmp.resolve("redis.log");

        CommandRun r = execute("snapshot", "--info-file", info.toString(), "--log-file", missing.toString());

        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().strip().contains(missing.toString()), r.err());
        assertFalse(r.err().strip().contains("\n"), r.err());
    }

    @Test
    void aLiveServerAndPastedInfoTogetherAreRefused() throws IOException {
        Path info = resource("info/seed-000-clients-memory.txt");

        CommandRun r =
                execute("snapshot", "--redis", "redis://127.0.0.1:" + redis.port(), "--info-file", info.toString());

        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertTrue(
                r.err().contains("--redis")
                        && r.err().contains("--info-file")
                        && r.err().contains("not both"),
                r.err());
    }

    @Test
    void runWithoutConfigOrRedisIsExit2WithAClearMessage() {
        CommandRun r = execute("run");

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--config") && r.err().contains("--redis"), r.err());
        assertFalse(r.err().strip().contains("\n"), "one line: " + r.err());
    }

    private static int entryCount(Path log) throws IOException {
        return countEntries(Files.readString(log));
    }

    private static int countEntries(String text) {
        Matcher m = ENTRY_START.matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
