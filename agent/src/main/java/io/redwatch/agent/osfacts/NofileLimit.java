package io.redwatch.agent.osfacts;

/**
 * RLIMIT_NOFILE from /proc/&lt;pid&gt;/limits, the {@code Max open files  10032  10032  files} row.
 *
 * @param soft the soft limit, -1 for "unlimited"
 * @param hard the hard limit, -1 for "unlimited"
 */
public record NofileLimit(long soft, long hard) {

    private static final String ROW = "Max open files";

    public static NofileLimit parse(String limitsText) {
        for (String line : limitsText.split("\n")) {
            if (line.startsWith(ROW)) {
                String[] f = line.substring(ROW.length()).trim().split("\\s+");
                if (f.length < 2) {
                    throw new ProcFormatException("'" + ROW + "' row has no soft and hard limit: '" + line + "'");
                }
                return new NofileLimit(limit(f[0], line), limit(f[1], line));
            }
        }
        throw new ProcFormatException("no '" + ROW + "' row");
    }

    private static long limit(String s, String line) {
        if ("unlimited".equals(s)) {
            return -1;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ProcFormatException("limit '" + s + "' is neither a number nor 'unlimited' in '" + line + "'");
        }
    }
}
