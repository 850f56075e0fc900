package io.redwatch.collector.rules.view;

import java.util.Locale;

/** Byte counts as people read them, and as Redis's config accepts them. */
public final class ByteSize {
    private static final long MB = 1L << 20;

    private ByteSize() {}

    /** "27.97 GiB", "256.0 MiB", "812 B". */
    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** A size for redis.conf, rounded up to a value people pick: a power of two up to 1 GB, then whole GB. */
    public static long roundUpConfig(double bytes) {
        long mb = 1;
        while (mb * MB < bytes && mb < 1024) mb *= 2;
        if (mb * MB >= bytes) return mb * MB;
        long gb = (long) Math.ceil(bytes / (1024.0 * MB));
        return gb * 1024 * MB;
    }

    /** "128mb", "2gb": Redis's own unit words (config files and CONFIG SET alike). */
    public static String config(long bytes) {
        if (bytes % (1024 * MB) == 0) return bytes / (1024 * MB) + "gb";
        if (bytes % MB == 0) return bytes / MB + "mb";
        return Long.toString(bytes);
    }

    /** Parses "256mb", "64MB", "1gb", "8G", "1048576", "512k"; -1 when it is no size. */
    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        String[][] units = {
            {"gb", "1073741824"},
            {"mb", "1048576"},
            {"kb", "1024"},
            {"g", "1000000000"},
            {"m", "1000000"},
            {"k", "1000"},
            {"b", "1"}
        };
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            return Math.round(Double.parseDouble(t) * mul);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
