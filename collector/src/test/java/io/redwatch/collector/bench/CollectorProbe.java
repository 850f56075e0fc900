package io.redwatch.collector.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running collector seen from outside, through its pid file (rewritten when the script restarts
 * it): CPU and RSS from /proc, heap after a full GC through jcmd.
 */
final class CollectorProbe {
    private static final double CLOCK_TICKS = 100.0; // USER_HZ on Linux
    private static final Pattern HEAP_USED = Pattern.compile("(?:heap|Heap)\\s+total \\d+K, used (\\d+)K");

    private final Path pidFile;
    private long lastPid = -1;
    private long lastTicks;
    private long lastNanos;

    CollectorProbe(Path pidFile) {
        this.pidFile = pidFile;
    }

    long pid() {
        try {
            return Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** CPU used since the last call, in % of one core (NaN on the first call or after a restart). */
    double cpuPercent() {
        long pid = pid();
        long ticks = ticks(pid);
        long now = System.nanoTime();
        double out = pid == lastPid && ticks >= 0 && lastTicks >= 0
                ? (ticks - lastTicks) / CLOCK_TICKS / ((now - lastNanos) / 1e9) * 100
                : Double.NaN;
        lastPid = pid;
        lastTicks = ticks;
        lastNanos = now;
        return out;
    }

    /** Resident set size in MiB, or NaN when the process is gone. */
    double rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Heap used right after a full GC (jcmd GC.run, then GC.heap_info), in MiB; NaN if jcmd fails. */
    double heapAfterGcMiB() {
        long pid = pid();
        if (pid < 0) return Double.NaN;
        run("jcmd", Long.toString(pid), "GC.run");
        Matcher m = HEAP_USED.matcher(run("jcmd", Long.toString(pid), "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
