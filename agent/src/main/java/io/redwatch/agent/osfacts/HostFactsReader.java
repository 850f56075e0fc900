package io.redwatch.agent.osfacts;

import io.redwatch.proto.v1.HostFacts;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Reads the host facts the incidents need (memory and overcommit for fork failures, THP and
 * somaxconn for Redis's start-up warnings, iowait for slow saves) from a proc root and a sys root.
 *
 * <p>Why not OSHI here: OSHI reads the same files, but only from one process-wide root
 * ({@code oshi.util.proc.path}, fixed at class load), so it cannot be pointed at a captured tree per
 * instance and tests could not run on captured files. It also has no answer for overcommit, THP or
 * somaxconn, so /proc and /sys would be parsed here anyway. And the part of OSHI that does answer
 * (global memory, processor count) initialises JNA and udev: measured on JDK 17, creating
 * {@code SystemInfo().getHardware()} and asking for memory or the processor count added about
 * 20 MB of RSS and 250 ms, a third of the agent's 64 MB budget, for numbers that are one line of
 * /proc/meminfo or /proc/stat. So every fact comes from a small pure parser ({@link MemInfo},
 * {@link CpuStat}, {@link LoadAvg}, {@link ThpSetting}) over the configured roots, and the CPU count
 * is the number of {@code cpuN} lines of /proc/stat, which (unlike
 * {@code Runtime.availableProcessors()}) is the host's count, not the agent cgroup's.
 *
 * <p>Each fact is read on its own: one that cannot be read keeps its default (-1 for ints, 0 for
 * bytes and doubles, "" for strings) and adds a line to {@code errors} naming the file and why.
 * iowait is a rate, so the reader keeps the previous /proc/stat sample; the first call reports 0.
 */
public final class HostFactsReader {

    private final Path procRoot;
    private final Path sysRoot;
    private CpuStat previousCpu;

    public HostFactsReader(Path procRoot, Path sysRoot) {
        this.procRoot = procRoot;
        this.sysRoot = sysRoot;
    }

    public synchronized HostFacts read(String host, long tsMs) {
        HostFacts.Builder b = HostFacts.newBuilder()
                .setHost(host)
                .setTsMs(tsMs)
                .setOvercommitMemory(-1)
                .setOvercommitRatio(-1)
                .setSomaxconn(-1);
        readMemInfo(b);
        readInt(b, procRoot.resolve("sys/vm/overcommit_memory"), b::setOvercommitMemory);
        readInt(b, procRoot.resolve("sys/vm/overcommit_ratio"), b::setOvercommitRatio);
        readInt(b, procRoot.resolve("sys/net/core/somaxconn"), b::setSomaxconn);
        readThp(b, "enabled", b::setThpEnabled);
        readThp(b, "defrag", b::setThpDefrag);
        readCpu(b);
        readLoad(b);
        return b.build();
    }

    private void readMemInfo(HostFacts.Builder b) {
        Path file = procRoot.resolve("meminfo");
        String text = readOrReport(b, file);
        if (text == null) {
            return;
        }
        MemInfo m = MemInfo.parse(text);
        for (String line : m.unparsedLines()) {
            b.addErrors(file + ": unparsed line '" + line + "'");
        }
        setBytes(b, file, m, "MemTotal", b::setMemTotal);
        setBytes(b, file, m, "MemAvailable", b::setMemAvailable);
        setBytes(b, file, m, "MemFree", b::setMemFree);
        setBytes(b, file, m, "Cached", b::setCached);
        setBytes(b, file, m, "SwapTotal", b::setSwapTotal);
        setBytes(b, file, m, "SwapFree", b::setSwapFree);
        setBytes(b, file, m, "CommitLimit", b::setCommitLimit);
        setBytes(b, file, m, "Committed_AS", b::setCommittedAs);
    }

    private static void setBytes(HostFacts.Builder b, Path file, MemInfo m, String key, LongConsumer setter) {
        OptionalLong v = m.get(key);
        if (v.isPresent()) {
            setter.accept(v.getAsLong());
        } else if ("MemAvailable".equals(key)) {
            b.addErrors(file + ": no MemAvailable line (kernels before 3.14 do not report it;"
                    + " judge from MemFree + Cached instead)");
        } else {
            b.addErrors(file + ": no " + key + " line");
        }
    }

    private static void readInt(HostFacts.Builder b, Path file, IntConsumer setter) {
        String text = readOrReport(b, file);
        if (text == null) {
            return;
        }
        try {
            setter.accept(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            b.addErrors(file + ": expected an integer, found '" + text.trim() + "'");
        }
    }

    private void readThp(HostFacts.Builder b, String name, Consumer<String> setter) {
        Path file = sysRoot.resolve("kernel/mm/transparent_hugepage").resolve(name);
        // RHEL/CentOS 6 kernels expose THP under their own name; Redis 3.x era hosts still run them.
        Path redHat = sysRoot.resolve("kernel/mm/redhat_transparent_hugepage").resolve(name);
        if (!Files.exists(file) && Files.exists(redHat)) {
            file = redHat;
        }
        String text = readOrReport(b, file);
        if (text == null) {
            return;
        }
        try {
            setter.accept(ThpSetting.selected(text));
        } catch (ProcFormatException e) {
            b.addErrors(file + ": " + e.getMessage());
        }
    }

    private void readCpu(HostFacts.Builder b) {
        Path file = procRoot.resolve("stat");
        String text = readOrReport(b, file);
        if (text == null) {
            return;
        }
        CpuStat now;
        try {
            now = CpuStat.parse(text);
        } catch (ProcFormatException e) {
            b.addErrors(file + ": " + e.getMessage());
            return;
        }
        if (previousCpu != null) {
            b.setIowaitPct(now.iowaitPercentSince(previousCpu));
        }
        previousCpu = now;
        if (now.cpuCount() > 0) {
            b.setCpuCount(now.cpuCount());
        } else {
            b.addErrors(file + ": no cpuN lines, cpu count unknown");
        }
    }

    private void readLoad(HostFacts.Builder b) {
        Path file = procRoot.resolve("loadavg");
        String text = readOrReport(b, file);
        if (text == null) {
            return;
        }
        try {
            LoadAvg l = LoadAvg.parse(text);
            b.setLoad1(l.load1()).setLoad5(l.load5()).setLoad15(l.load15());
        } catch (ProcFormatException e) {
            b.addErrors(file + ": " + e.getMessage());
        }
    }

    /** The file's text, or null after adding an error line that names the file and the reason. */
    private static String readOrReport(HostFacts.Builder b, Path file) {
        try {
            // ISO-8859-1 never fails to decode; these files are ASCII.
            return ProcFile.read(file);
        } catch (NoSuchFileException e) {
            b.addErrors(file + ": does not exist");
        } catch (AccessDeniedException e) {
            b.addErrors(file + ": permission denied");
        } catch (IOException e) {
            b.addErrors(file + ": cannot read (" + e + ")");
        }
        return null;
    }
}
