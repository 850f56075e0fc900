package io.redwatch.agent.osfacts;

import static io.redwatch.agent.osfacts.ProcParsersTest.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.HostFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsReaderTest {

    private static final long KIB = 1024;

    private static HostFacts readFixture(String name) {
        Path root = fixture(name);
        return new HostFactsReader(root.resolve("proc"), root.resolve("sys")).read("redis-7", 1502846859319L);
    }

    @Test
    void seed003HostShowsForkRiskFactsUnderHeuristicOvercommit() {
        HostFacts f = readFixture("seed-003");
        assertEquals(List.of(), f.getErrorsList());
        assertEquals("redis-7", f.getHost());
        assertEquals(1502846859319L, f.getTsMs());
        assertEquals(16267724 * KIB, f.getMemTotal());
        assertEquals(5242880 * KIB, f.getMemAvailable());
        assertEquals(312840 * KIB, f.getMemFree());
        assertEquals(4917248 * KIB, f.getCached());
        assertEquals(0, f.getSwapTotal());
        assertEquals(0, f.getSwapFree());
        assertEquals(8133860 * KIB, f.getCommitLimit());
        assertEquals(12058624 * KIB, f.getCommittedAs());
        assertEquals(0, f.getOvercommitMemory());
        assertEquals(50, f.getOvercommitRatio());
        assertEquals("always", f.getThpEnabled());
        assertEquals("always", f.getThpDefrag());
        assertEquals(128, f.getSomaxconn());
        assertEquals(4, f.getCpuCount());
        assertEquals(3.12, f.getLoad1());
        assertEquals(2.87, f.getLoad5());
        assertEquals(2.40, f.getLoad15());
        assertEquals(0.0, f.getIowaitPct(), "no previous sample yet");
    }

    @Test
    void strictOvercommitHostReportsModeTwoAndCommitHeadroom() {
        HostFacts f = readFixture("overcommit-strict");
        assertEquals(List.of(), f.getErrorsList());
        assertEquals(2, f.getOvercommitMemory());
        assertEquals(50, f.getOvercommitRatio());
        assertEquals((20584032L - 20185088L) * KIB, f.getCommitLimit() - f.getCommittedAs());
        assertEquals(4194300 * KIB, f.getSwapTotal());
        assertEquals(4063228 * KIB, f.getSwapFree());
        assertEquals("never", f.getThpEnabled());
        assertEquals("madvise", f.getThpDefrag());
        assertEquals(4096, f.getSomaxconn());
        assertEquals(2, f.getCpuCount());
    }

    @Test
    void centos6HostReadsRedHatThpPathAndSaysMemAvailableIsMissing() {
        HostFacts f = readFixture("centos6");
        assertEquals("always", f.getThpEnabled());
        assertEquals("always", f.getThpDefrag());
        assertEquals(0, f.getMemAvailable());
        assertEquals(1770328 * KIB, f.getMemFree());
        assertEquals(1, f.getErrorsCount(), f.getErrorsList().toString());
        assertTrue(f.getErrors(0).contains("meminfo") && f.getErrors(0).contains("no MemAvailable"), f.getErrors(0));
        assertEquals(4, f.getCpuCount());
    }

    @Test
    void unreadableFactsKeepDefaultsAndNameTheFileAndReason(@TempDir Path tmp) throws IOException {
        Path proc = Files.createDirectories(tmp.resolve("proc"));
        Files.createDirectories(proc.resolve("sys/vm"));
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 1000 kB\nMemFree 12 kB\n");
        Files.writeString(proc.resolve("sys/vm/overcommit_memory"), "zero\n");
        Files.writeString(proc.resolve("stat"), "intr 1 2 3\n");
        Path thp = Files.createDirectories(tmp.resolve("sys/kernel/mm/transparent_hugepage"));
        Files.writeString(thp.resolve("enabled"), "always madvise never\n");

        HostFacts f = new HostFactsReader(proc, tmp.resolve("sys")).read("h", 1);

        assertEquals(1000 * KIB, f.getMemTotal());
        assertEquals(0, f.getMemFree());
        assertEquals(-1, f.getOvercommitMemory());
        assertEquals(-1, f.getOvercommitRatio());
        assertEquals(-1, f.getSomaxconn());
        assertEquals("", f.getThpEnabled());
        assertEquals("", f.getThpDefrag());
        assertEquals(0, f.getCpuCount());
        assertEquals(0.0, f.getLoad1());
        Map<String, String> byFile = errorsByFile(f.getErrorsList());
        assertEquals(
                "unparsed line 'MemFree 12 kB'",
                byFile.get(proc.resolve("meminfo").toString()));
        assertEquals(
                "expected an integer, found 'zero'",
                byFile.get(proc.resolve("sys/vm/overcommit_memory").toString()));
        assertEquals(
                "does not exist",
                byFile.get(proc.resolve("sys/vm/overcommit_ratio").toString()));
        assertEquals(
                "does not exist",
                byFile.get(proc.resolve("sys/net/core/somaxconn").toString()));
        assertEquals("does not exist", byFile.get(proc.resolve("loadavg").toString()));
        assertEquals("no aggregate 'cpu ' line", byFile.get(proc.resolve("stat").toString()));
        assertEquals(
                "no [selected] word in 'always madvise never'",
                byFile.get(thp.resolve("enabled").toString()));
        assertEquals("does not exist", byFile.get(thp.resolve("defrag").toString()));
        assertTrue(
                f.getErrorsList().contains(proc.resolve("meminfo") + ": no Cached line"),
                f.getErrorsList().toString());
    }

    /** The first error line per file; meminfo has several, the test checks the others by content. */
    private static Map<String, String> errorsByFile(List<String> errors) {
        Map<String, String> m = new HashMap<>();
        for (String e : errors) {
            int sep = e.indexOf(": ");
            m.putIfAbsent(e.substring(0, sep), e.substring(sep + 2));
        }
        return m;
    }

    @Test
    void iowaitIsMeasuredBetweenTwoReads(@TempDir Path tmp) throws IOException {
        Path proc = Files.createDirectories(tmp.resolve("proc"));
        HostFactsReader reader = new HostFactsReader(proc, tmp.resolve("sys"));
        Files.writeString(
                proc.resolve("stat"), "cpu  1000 0 500 8000 200 0 0 0 0 0\ncpu0 1000 0 500 8000 200 0 0 0 0 0\n");
        assertEquals(0.0, reader.read("h", 1).getIowaitPct());
        Files.writeString(
                proc.resolve("stat"), "cpu  1040 0 520 8005 235 0 0 0 0 0\ncpu0 1040 0 520 8005 235 0 0 0 0 0\n");
        assertEquals(35.0, reader.read("h", 2).getIowaitPct(), 1e-9);
        Files.writeString(proc.resolve("stat"), "garbage\n");
        assertEquals(0.0, reader.read("h", 3).getIowaitPct());
        Files.writeString(
                proc.resolve("stat"), "cpu  1080 0 540 8010 270 0 0 0 0 0\ncpu0 1080 0 540 8010 270 0 0 0 0 0\n");
        assertEquals(35.0, reader.read("h", 4).getIowaitPct(), 1e-9, "a failed read does not reset the baseline");
    }

    @Test
    void realMachineFactsMatchWhatProcSaysAtTheSameMoment() throws IOException, InterruptedException {
        HostFacts f = new HostFactsReader(Path.of("/proc"), Path.of("/sys")).read("here", System.currentTimeMillis());
        Map<String, Long> meminfo = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] kv = line.split(":\\s+");
            meminfo.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()) * KIB);
        }
        long tolerance = 256L * 1024 * 1024; // memory moves while other builds run beside us
        assertEquals(meminfo.get("MemTotal"), f.getMemTotal());
        assertEquals(meminfo.get("SwapTotal"), f.getSwapTotal());
        assertEquals(meminfo.get("CommitLimit"), f.getCommitLimit());
        assertEquals(meminfo.get("MemAvailable"), f.getMemAvailable(), tolerance);
        assertEquals(meminfo.get("MemFree"), f.getMemFree(), tolerance);
        assertEquals(meminfo.get("Committed_AS"), f.getCommittedAs(), tolerance);
        assertEquals(catInt("/proc/sys/vm/overcommit_memory"), f.getOvercommitMemory());
        assertEquals(catInt("/proc/sys/vm/overcommit_ratio"), f.getOvercommitRatio());
        assertEquals(catInt("/proc/sys/net/core/somaxconn"), f.getSomaxconn());
        assertTrue(
                Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"))
                        .contains("[" + f.getThpEnabled() + "]"),
                f.getThpEnabled());
        long processors = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("processor"))
                .count();
        assertEquals(processors, f.getCpuCount());
        assertEquals(List.of(), f.getErrorsList());
    }

    /**
     * Read by cat, not the JDK: Files.readString reads procfs sysctls one byte at a time and saw
     * "4" for a somaxconn of 4096, so comparing with it would hide exactly that bug.
     */
    private static int catInt(String file) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder("cat", file).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.waitFor(), "cat " + file);
        return Integer.parseInt(out);
    }
}
