package io.redwatch.collector.ingest;

/**
 * Instance and host names as they arrive from agents. They key stored data and end up in log lines,
 * mail headers and pages, so they must be printable single-line text of a bounded length.
 */
public final class WireNames {
    public static final int MAX_LENGTH = 255;

    private WireNames() {}

    /** Null when {@code name} is acceptable, else what is wrong with it (never echoing the name itself). */
    public static String problem(String what, String name) {
        if (name.length() > MAX_LENGTH)
            return what + " is " + name.length() + " characters long, at most " + MAX_LENGTH + " are allowed";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // ISO controls (CR, LF, NUL, ESC, ...) and the Unicode line and paragraph separators.
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                return what + " contains control character U+" + String.format("%04X", (int) c) + " at position " + i;
            }
        }
        return null;
    }
}
