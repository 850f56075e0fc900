package io.redwatch.agent.osfacts;

import static io.redwatch.agent.osfacts.ProcParsersTest.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.ProcessFacts;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessFactsReaderTest {

    private static final InstanceRef REF = InstanceRef.newBuilder()
            .setInstance("redis-7:6379")
            .setHost("redis-7")
            .setPort(6379)
            .build();

    /** Seed 003's fd table as real symlinks: 499 sockets, 9,823 leaked pipes, epoll, 3 x /dev/null, the AOF. */
    @Test
    void seed003PipeLeakIsCountedByKind(@TempDir Path proc) throws IOException {
        Path pidDir = Files.createDirectories(proc.resolve("1838"));
        Files.copy(fixture("seed-003/proc/1838/limits"), pidDir.resolve("limits"));
        Files.copy(fixture("seed-003/proc/1838/status"), pidDir.resolve("status"));
        Path fd = Files.createDirectories(pidDir.resolve("fd"));
        Path aof = Files.writeString(proc.resolve("appendonly.aof"), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
        int n = 0;
        for (int i = 0; i < 3; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(n++)), Path.of("/dev/null"));
        }
        Files.createSymbolicLink(fd.resolve(Integer.toString(n++)), Path.of("anon_inode:[eventpoll]"));
        Files.createSymbolicLink(fd.resolve(Integer.toString(n++)), aof);
        for (int i = 0; i < 499; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(n++)), Path.of("socket:[" + (3000000 + i) + "]"));
        }
        for (int i = 0; i < 9823; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(n++)), Path.of("pipe:[" + (4000000 + i) + "]"));
        }

        ProcessFacts f = new ProcessFactsReader(proc).read(REF, 1838, "info", 1502846859319L);

        assertEquals("", f.getError());
        assertEquals(REF, f.getRef());
        assertEquals(1838, f.getPid());
        assertEquals("info", f.getPidSource());
        assertEquals(1502846859319L, f.getTsMs());
        assertEquals(n, f.getFdTotal());
        assertEquals(499, f.getFdSockets());
        assertEquals(9823, f.getFdPipes());
        assertEquals(1, f.getFdAnonInodes());
        assertEquals(1, f.getFdFiles());
        assertEquals(3, f.getFdOther());
        assertEquals(10032, f.getNofileSoft());
        assertEquals(10032, f.getNofileHard());
        assertEquals(10223616L * 1024, f.getVmRss());
        assertEquals(11272192L * 1024, f.getVmSize());
    }

    @Test
    void missingProcessIsReportedNotThrown(@TempDir Path proc) {
        ProcessFacts f = new ProcessFactsReader(proc).read(REF, 4242, "port", 1);
        assertEquals(0, f.getFdTotal());
        assertEquals(-1, f.getNofileSoft());
        assertEquals(-1, f.getNofileHard());
        assertTrue(f.getError().startsWith("no process 4242: "), f.getError());
    }

    /** The process exited after its directory was seen: what is left is read, the rest is explained. */
    @Test
    void processExitingMidReadKeepsWhatWasRead(@TempDir Path proc) throws IOException {
        Path pidDir = Files.createDirectories(proc.resolve("1838"));
        Files.copy(fixture("seed-003/proc/1838/status"), pidDir.resolve("status"));

        ProcessFacts f = new ProcessFactsReader(proc).read(REF, 1838, "info", 1);

        assertEquals(10223616L * 1024, f.getVmRss());
        assertEquals(-1, f.getNofileSoft());
        assertTrue(f.getError().contains(pidDir.resolve("fd") + " does not exist: the process exited"), f.getError());
        assertTrue(f.getError().contains(pidDir.resolve("limits") + " does not exist"), f.getError());
    }

    @Test
    void entriesThatAreNotLinksAreCountedAsUnreadable(@TempDir Path proc) throws IOException {
        Path fd = Files.createDirectories(proc.resolve("77/fd"));
        Files.createSymbolicLink(fd.resolve("0"), Path.of("pipe:[1]"));
        Files.writeString(fd.resolve("1"), "not a link");

        ProcessFacts f = new ProcessFactsReader(proc).read(REF, 77, "info", 1);

        assertEquals(2, f.getFdTotal());
        assertEquals(1, f.getFdPipes());
        assertTrue(f.getError().contains("1 of 2 links in " + fd + " could not be read"), f.getError());
    }

    @Test
    void permissionDeniedNamesTheCapabilitiesNeeded(@TempDir Path proc) throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads a mode-000 directory anyway");
        Path fd = Files.createDirectories(proc.resolve("77/fd"));
        Files.setPosixFilePermissions(fd, PosixFilePermissions.fromString("---------"));
        try {
            ProcessFacts f = new ProcessFactsReader(proc).read(REF, 77, "info", 1);
            assertTrue(f.getError().contains("CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE"), f.getError());
        } finally {
            Files.setPosixFilePermissions(fd, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** The incident-3 signature on a live process: this JVM leaks 50 pipes. */
    @Test
    void pipeLeakInThisJvmShowsAsPipesRisingAndSocketsNot() throws IOException {
        ProcessFactsReader reader = new ProcessFactsReader(Path.of("/proc"));
        int pid = (int) ProcessHandle.current().pid();
        // The JDK's first NIO channel keeps one socket for good (the dispatcher's pre-close
        // socketpair end); open it before the baseline so only the leak differs.
        Pipe warmUp = Pipe.open();
        warmUp.source().close();
        warmUp.sink().close();
        ProcessFacts before = reader.read(REF, pid, "info", 1);
        List<Pipe> leaked = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                leaked.add(Pipe.open());
            }
            ProcessFacts after = reader.read(REF, pid, "info", 2);

            assertEquals("", after.getError());
            assertTrue(
                    after.getFdPipes() - before.getFdPipes() >= 100,
                    "pipes " + before.getFdPipes() + " -> " + after.getFdPipes());
            assertEquals(before.getFdSockets(), after.getFdSockets());
            assertTrue(after.getFdTotal() - before.getFdTotal() >= 100);
            assertTrue(after.getNofileSoft() > 0 || after.getNofileSoft() == -1);
            assertTrue(after.getVmRss() > 0 && after.getVmSize() >= after.getVmRss());
        } finally {
            for (Pipe p : leaked) {
                p.source().close();
                p.sink().close();
            }
        }
    }
}
