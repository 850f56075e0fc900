package io.redwatch.agent.osfacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcParsersTest {

    static Path fixture(String name) {
        try {
            return Path.of(ProcParsersTest.class.getResource("/proc/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(String name) throws IOException {
        return Files.readString(fixture(name), StandardCharsets.ISO_8859_1);
    }

    @Test
    void memInfoKeepsKilobyteFieldsInBytesAndUnitlessFieldsAsNumbers() throws IOException {
        MemInfo m = MemInfo.parse(text("this-machine/proc/meminfo"));
        assertEquals(24682416L * 1024, m.get("MemTotal").getAsLong());
        assertEquals(24027236L * 1024, m.get("MemAvailable").getAsLong());
        assertEquals(0, m.get("SwapTotal").getAsLong());
        assertEquals(0, m.get("HugePages_Total").getAsLong());
        assertTrue(m.unparsedLines().isEmpty(), m.unparsedLines().toString());
    }

    @Test
    void memInfoOfStrictOvercommitHostShowsCommitNearlyExhausted() throws IOException {
        MemInfo m = MemInfo.parse(text("overcommit-strict/proc/meminfo"));
        long headroom = m.get("CommitLimit").getAsLong() - m.get("Committed_AS").getAsLong();
        assertEquals((20584032L - 20185088L) * 1024, headroom);
    }

    @Test
    void memInfoKeepsMalformedLinesInsteadOfDroppingThem() {
        MemInfo m = MemInfo.parse("MemTotal:  100 kB\nthis is not meminfo\nMemFree: lots kB\nOdd: 5 MB\n");
        assertEquals(102400, m.get("MemTotal").getAsLong());
        assertEquals(java.util.List.of("this is not meminfo", "MemFree: lots kB", "Odd: 5 MB"), m.unparsedLines());
        assertFalse(m.get("MemFree").isPresent());
    }

    @Test
    void cpuStatSumsTheEightTimeColumnsAndCountsCpus() throws IOException {
        CpuStat s = CpuStat.parse(text("this-machine/proc/stat"));
        // cpu  15805 0 4592 83446 418 0 215 20 0 0
        assertEquals(15805 + 4592 + 83446 + 418 + 215 + 20, s.totalTicks());
        assertEquals(418, s.iowaitTicks());
        assertEquals(2, s.cpuCount());
        assertEquals(4, CpuStat.parse(text("seed-003/proc/stat")).cpuCount());
    }

    @Test
    void cpuStatReadsOldKernelsWithoutGuestNiceColumn() throws IOException {
        CpuStat s = CpuStat.parse(text("centos6/proc/stat"));
        assertEquals(40212334L + 2210 + 9120334 + 812233011 + 3211004 + 1021 + 220113, s.totalTicks());
        assertEquals(3211004, s.iowaitTicks());
    }

    @Test
    void iowaitPercentIsTheShareOfIowaitTicksBetweenTwoSamples() {
        // During a BGSAVE the seed's top showed "35.0%wa": 35 of 100 ticks.
        CpuStat before = CpuStat.parse("cpu  1000 0 500 8000 200 0 0 0 0 0\ncpu0 1000 0 500 8000 200 0 0 0 0 0\n");
        CpuStat after = CpuStat.parse("cpu  1040 0 520 8005 235 0 0 0 0 0\ncpu0 1040 0 520 8005 235 0 0 0 0 0\n");
        assertEquals(35.0, after.iowaitPercentSince(before), 1e-9);
        assertEquals(0.0, before.iowaitPercentSince(after), "counters going backwards give 0, not a negative share");
        assertEquals(0.0, after.iowaitPercentSince(after));
    }

    @Test
    void cpuStatWithoutAggregateLineIsRejectedWithTheReason() {
        ProcFormatException e = assertThrows(ProcFormatException.class, () -> CpuStat.parse("cpu0 1 2 3 4 5\n"));
        assertTrue(e.getMessage().contains("no aggregate"), e.getMessage());
        e = assertThrows(ProcFormatException.class, () -> CpuStat.parse("cpu  1 2 x 4 5\n"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void loadAvgReadsTheThreeAverages() throws IOException {
        assertEquals(new LoadAvg(3.12, 2.87, 2.40), LoadAvg.parse(text("seed-003/proc/loadavg")));
        assertThrows(ProcFormatException.class, () -> LoadAvg.parse("0.5\n"));
    }

    @Test
    void thpSettingIsTheBracketedWord() throws IOException {
        assertEquals("madvise", ThpSetting.selected(text("this-machine/sys/kernel/mm/transparent_hugepage/enabled")));
        assertEquals("always", ThpSetting.selected(text("seed-003/sys/kernel/mm/transparent_hugepage/enabled")));
        assertEquals(
                "never", ThpSetting.selected(text("overcommit-strict/sys/kernel/mm/transparent_hugepage/enabled")));
        assertEquals("defer+madvise", ThpSetting.selected("always defer [defer+madvise] madvise never\n"));
        assertThrows(ProcFormatException.class, () -> ThpSetting.selected("always madvise never\n"));
        assertThrows(ProcFormatException.class, () -> ThpSetting.selected("always [] never\n"));
    }

    @Test
    void nofileLimitReadsSoftAndHardAndUnlimited() throws IOException {
        assertEquals(new NofileLimit(10032, 10032), NofileLimit.parse(text("seed-003/proc/1838/limits")));
        assertEquals(new NofileLimit(20000, 20000), NofileLimit.parse(text("this-machine/proc/9504/limits")));
        assertEquals(
                new NofileLimit(1024, -1),
                NofileLimit.parse("Limit  Soft Limit  Hard Limit  Units\nMax open files  1024  unlimited  files\n"));
        assertThrows(ProcFormatException.class, () -> NofileLimit.parse("Max processes 10 10 processes\n"));
    }

    @Test
    void procStatusGivesRssAndSizeInBytesAndMinusOneWhenAbsent() throws IOException {
        assertEquals(
                new ProcStatus(10223616L * 1024, 11272192L * 1024),
                ProcStatus.parse(text("seed-003/proc/1838/status")));
        assertEquals(
                new ProcStatus(6604L * 1024, 60824L * 1024), ProcStatus.parse(text("this-machine/proc/9504/status")));
        // kernel threads have no Vm* lines
        assertEquals(new ProcStatus(-1, -1), ProcStatus.parse("Name:\tkthreadd\nState:\tS (sleeping)\nPid:\t2\n"));
    }

    @Test
    void tcpListenersFindTheListeningInodeOfAPort() throws IOException {
        // redis-server on 127.0.0.1:16399 (hex 400F), socket inode 22182
        assertEquals(Set.of(22182L), TcpListeners.listeningInodes(text("this-machine/proc/net/tcp"), 16399));
        assertEquals(Set.of(), TcpListeners.listeningInodes(text("this-machine/proc/net/tcp"), 16398));
    }

    @Test
    void tcpListenersIgnoreConnectionsToThePortAndReadTcp6() {
        String tcp6 =
                "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                        + "   0: 00000000000000000000000000000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 41234 1 0000000000000000 100 0 0 10 0\n"
                        + "   1: 0000000000000000FFFF00000100007F:18EB 0000000000000000FFFF00000100007F:C350 01 00000000:00000000 00:00000000 00000000   999        0 41299 1 0000000000000000 20 4 30 10 -1\n";
        assertEquals(Set.of(41234L), TcpListeners.listeningInodes(tcp6, 6379));
    }

    @Test
    void fdKindClassifiesByLinkTargetAndStatsOnlyPaths() {
        java.util.function.BooleanSupplier mustNotStat = () -> {
            throw new AssertionError("sockets, pipes and anon inodes must not cost a stat");
        };
        assertEquals(FdKind.SOCKET, FdKind.classify("socket:[22182]", mustNotStat));
        assertEquals(FdKind.PIPE, FdKind.classify("pipe:[20746]", mustNotStat));
        assertEquals(FdKind.ANON_INODE, FdKind.classify("anon_inode:[eventpoll]", mustNotStat));
        assertEquals(FdKind.ANON_INODE, FdKind.classify("anon_inode:inotify", mustNotStat));
        assertEquals(FdKind.OTHER, FdKind.classify("/dev/null", mustNotStat));
        assertEquals(FdKind.FILE, FdKind.classify("/var/lib/redis/appendonly.aof", () -> true));
        assertEquals(FdKind.OTHER, FdKind.classify("/var/lib/redis", () -> false));
        assertEquals(FdKind.OTHER, FdKind.classify("net:[4026531840]", mustNotStat));
    }
}
