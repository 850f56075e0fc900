package io.redwatch.agent.osfacts;

/**
 * A sysfs choice file such as /sys/kernel/mm/transparent_hugepage/enabled, which lists every
 * option and brackets the active one: {@code always [madvise] never}.
 */
public final class ThpSetting {

    private ThpSetting() {}

    /** The bracketed word: {@code "always [madvise] never"} gives {@code "madvise"}. */
    public static String selected(String text) {
        int open = text.indexOf('[');
        int close = open < 0 ? -1 : text.indexOf(']', open);
        if (open < 0 || close < 0 || close == open + 1) {
            throw new ProcFormatException("no [selected] word in '" + text.trim() + "'");
        }
        return text.substring(open + 1, close);
    }
}
