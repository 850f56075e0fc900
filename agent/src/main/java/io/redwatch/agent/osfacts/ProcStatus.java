package io.redwatch.agent.osfacts;

/**
 * The memory lines of /proc/&lt;pid&gt;/status that matter for fork: VmRSS and VmSize, in bytes;
 * -1 when the line is absent (kernel threads and zombies have none).
 */
public record ProcStatus(long vmRssBytes, long vmSizeBytes) {

    public static ProcStatus parse(String text) {
        long rss = -1;
        long size = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                rss = kbToBytes(line);
            } else if (line.startsWith("VmSize:")) {
                size = kbToBytes(line);
            }
        }
        return new ProcStatus(rss, size);
    }

    private static long kbToBytes(String line) {
        String[] f = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        if (f.length != 2 || !"kB".equals(f[1])) {
            throw new ProcFormatException("expected '<number> kB' in '" + line + "'");
        }
        try {
            return Math.multiplyExact(Long.parseLong(f[0]), 1024L);
        } catch (NumberFormatException e) {
            throw new ProcFormatException("'" + f[0] + "' is not a number in '" + line + "'");
        }
    }
}
