package io.redwatch.agent.osfacts;

import static io.redwatch.agent.osfacts.ProcParsersTest.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the captured net/tcp of this machine, a redis-server (pid 9504) listened on 127.0.0.1:16399
 * with socket inode 22182; inode 9879 is another listener on port 3306 (0CEA).
 */
class ListeningPidFinderTest {

    @TempDir
    Path proc;

    @BeforeEach
    void capturedNetTables() throws IOException {
        Files.createDirectories(proc.resolve("net"));
        Files.copy(fixture("this-machine/proc/net/tcp"), proc.resolve("net/tcp"));
        Files.copy(fixture("this-machine/proc/net/tcp6"), proc.resolve("net/tcp6"));
    }

    private void process(int pid, int ppid, String... targets) throws IOException {
        Path fd = Files.createDirectories(proc.resolve(pid + "/fd"));
        Files.writeString(
                proc.resolve(pid + "/status"), "Name:\tredis-server\nPid:\t" + pid + "\nPPid:\t" + ppid + "\n");
        for (int i = 0; i < targets.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(i)), Path.of(targets[i]));
        }
    }

    @Test
    void findsTheProcessHoldingTheListeningSocket() throws IOException {
        process(1, 0, "/dev/null", "socket:[9879]");
        process(9504, 1, "/dev/null", "pipe:[20746]", "anon_inode:[eventpoll]", "socket:[22182]");
        process(9601, 1, "socket:[22183]"); // a client connected to the port, not the listener
        Files.createDirectories(proc.resolve("self/fd")); // non-pid entries are not scanned

        assertEquals(OptionalInt.of(9504), new ListeningPidFinder(proc).pidListeningOn(16399));
        assertEquals(OptionalInt.of(1), new ListeningPidFinder(proc).pidListeningOn(0x0CEA));
    }

    @Test
    void forkedChildInheritingTheSocketIsNotTakenForTheListener() throws IOException {
        // A bgsave child holds the parent's listening socket; pid wrap-around can give it a lower pid.
        process(9504, 1, "socket:[22182]");
        process(300, 9504, "socket:[22182]");

        assertEquals(OptionalInt.of(9504), new ListeningPidFinder(proc).pidListeningOn(16399));
    }

    @Test
    void emptyWhenNothingListensOrTheListenerIsNotVisible() throws IOException {
        process(9504, 1, "socket:[22182]");
        assertEquals(OptionalInt.empty(), new ListeningPidFinder(proc).pidListeningOn(16398));

        Files.delete(proc.resolve("9504/fd/0"));
        assertEquals(OptionalInt.empty(), new ListeningPidFinder(proc).pidListeningOn(16399));
    }
}
