package io.redwatch.agent.osfacts;

/**
 * The aggregate {@code cpu} line of /proc/stat, reduced to what iowait needs, and the number of
 * {@code cpuN} lines (the online CPUs of the host, not of the agent's cgroup).
 *
 * @param totalTicks user + nice + system + idle + iowait + irq + softirq + steal. guest and
 *     guest_nice are left out because the kernel already counts them inside user and nice.
 * @param iowaitTicks the iowait column
 */
public record CpuStat(long totalTicks, long iowaitTicks, int cpuCount) {

    private static final int FIELDS_IN_TOTAL = 8;

    public static CpuStat parse(String text) {
        long total = -1;
        long iowait = -1;
        int cpus = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (text.startsWith("cpu ", start)) {
                String[] f = text.substring(start + 4, end).trim().split("\\s+");
                // Kernels before 2.6.11 had no steal column; before 2.5.41 no iowait at all.
                if (f.length < 5) {
                    throw new ProcFormatException("aggregate cpu line has " + f.length
                            + " columns, need at least 5 (user nice system idle iowait): '"
                            + text.substring(start, end) + "'");
                }
                total = 0;
                for (int i = 0; i < Math.min(f.length, FIELDS_IN_TOTAL); i++) {
                    total += parseTicks(f[i], text.substring(start, end));
                }
                iowait = parseTicks(f[4], text.substring(start, end));
            } else if (text.startsWith("cpu", start) && start + 3 < end && Character.isDigit(text.charAt(start + 3))) {
                cpus++;
            }
            start = end + 1;
        }
        if (total < 0) {
            throw new ProcFormatException("no aggregate 'cpu ' line");
        }
        return new CpuStat(total, iowait, cpus);
    }

    /**
     * Percent of CPU time spent in iowait between {@code earlier} and this sample; 0 when no time
     * passed or the counters went backwards (CPU hot-unplug; the kernel also documents iowait as
     * able to decrease).
     */
    public double iowaitPercentSince(CpuStat earlier) {
        long dTotal = totalTicks - earlier.totalTicks;
        long dIowait = iowaitTicks - earlier.iowaitTicks;
        if (dTotal <= 0 || dIowait <= 0) {
            return 0.0;
        }
        return Math.min(100.0, 100.0 * dIowait / dTotal);
    }

    private static long parseTicks(String s, String line) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ProcFormatException("column '" + s + "' is not a number in '" + line + "'");
        }
    }
}
