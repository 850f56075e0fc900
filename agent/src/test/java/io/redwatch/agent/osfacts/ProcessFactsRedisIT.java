package io.redwatch.agent.osfacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.ProcessFacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ProcessFactsReader and ListeningPidFinder against a real redis-server. */
class ProcessFactsRedisIT {
    static RedisServerProcess redis;
    static InstanceRef ref;

    @BeforeAll
    static void startRedis() throws IOException, InterruptedException {
        redis = RedisServerProcess.start();
        ref = InstanceRef.newBuilder()
                .setInstance("127.0.0.1:" + redis.port())
                .setHost("127.0.0.1")
                .setPort(redis.port())
                .build();
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.close();
        }
    }

    /** Counts the fd kinds the way an operator does in seed 003: ls -l /proc/PID/fd, grepping the targets. */
    private static Map<String, Integer> lsCount(int pid) throws IOException, InterruptedException {
        Process ls = new ProcessBuilder("ls", "-l", "/proc/" + pid + "/fd").start();
        String out = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ls.waitFor(10, TimeUnit.SECONDS) && ls.exitValue() == 0, out);
        Process find = new ProcessBuilder("find", "-L", "/proc/" + pid + "/fd", "-mindepth", "1", "-type", "f").start();
        long files = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .count();
        find.waitFor(10, TimeUnit.SECONDS);
        Map<String, Integer> m = new HashMap<>();
        for (String line : out.split("\n")) {
            int arrow = line.indexOf(" -> ");
            if (arrow < 0) {
                continue;
            }
            String target = line.substring(arrow + 4);
            String kind = target.startsWith("socket:")
                    ? "socket"
                    : target.startsWith("pipe:") ? "pipe" : target.startsWith("anon_inode:") ? "anon_inode" : "path";
            m.merge(kind, 1, Integer::sum);
            m.merge("total", 1, Integer::sum);
        }
        m.put("file", (int) files);
        return m;
    }

    @Test
    void fdCountsEqualAnIndependentListing() throws IOException, InterruptedException {
        // Redis closes the fds of clients that went away (another test's) in its own time: compare
        // only a reading that an independent listing before and after agrees with.
        ProcessFacts f = null;
        Map<String, Integer> ls = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            Map<String, Integer> before = lsCount((int) redis.pid());
            f = new ProcessFactsReader(Path.of("/proc"))
                    .read(ref, (int) redis.pid(), "info", System.currentTimeMillis());
            ls = lsCount((int) redis.pid());
            if (before.equals(ls)) break;
            Thread.sleep(100);
        }

        assertEquals("", f.getError());
        assertEquals(ls.get("total"), f.getFdTotal());
        assertEquals(ls.getOrDefault("socket", 0), f.getFdSockets());
        assertEquals(ls.getOrDefault("pipe", 0), f.getFdPipes());
        assertEquals(ls.getOrDefault("anon_inode", 0), f.getFdAnonInodes());
        assertEquals(ls.get("file"), f.getFdFiles());
        assertEquals(ls.getOrDefault("path", 0) - ls.get("file"), f.getFdOther());
        assertTrue(f.getFdSockets() >= 1, "the listening socket");
        assertTrue(f.getFdAnonInodes() >= 1, "redis's epoll instance");
        assertTrue(f.getVmRss() > 0 && f.getVmSize() > f.getVmRss());
        // redis raises its soft limit towards maxclients + 32 when the hard limit allows
        assertTrue(
                f.getNofileSoft() == -1 || f.getNofileSoft() >= 10032 || f.getNofileSoft() == f.getNofileHard(),
                f.getNofileSoft() + "/" + f.getNofileHard());
    }

    @Test
    void twentyClientsRaiseSocketsByTwentyAndLeavePipesAlone() throws IOException, InterruptedException {
        ProcessFactsReader reader = new ProcessFactsReader(Path.of("/proc"));
        ProcessFacts before = reader.read(ref, (int) redis.pid(), "info", 1);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", redis.port());
                clients.add(s);
                ping(s); // an answered PING proves redis accepted the connection and holds its fd
            }
            ProcessFacts after = reader.read(ref, (int) redis.pid(), "info", 2);

            assertEquals(before.getFdSockets() + 20, after.getFdSockets());
            assertEquals(before.getFdPipes(), after.getFdPipes());
            assertEquals(before.getFdTotal() + 20, after.getFdTotal());
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    @Test
    void listenerPidIsFoundFromThePort() {
        assertEquals(
                OptionalInt.of((int) redis.pid()),
                new ListeningPidFinder(Path.of("/proc")).pidListeningOn(redis.port()));
    }

    private static void ping(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] reply = new byte[7];
        int n = 0;
        while (n < reply.length) {
            int r = in.read(reply, n, reply.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        assertEquals("+PONG\r\n", new String(reply, 0, n, StandardCharsets.US_ASCII));
    }
}
