package io.redwatch.common.text;

/**
 * Shows control characters as visible escapes ({@code \n} as the two characters {@code \\n}, ESC as
 * {@code \\u001b}). Instance names, host names and log lines come from the network or from files
 * others write: a name holding a newline would otherwise end a mail header and start a forged one,
 * add lines to a page or an SMS, or forge lines in our own log. Escaping (rather than dropping)
 * keeps what was sent visible to whoever investigates.
 */
public final class ControlCharacters {
    private ControlCharacters() {}

    /** {@code text} with every C0 and C1 control, DEL and line/paragraph separator escaped; null stays null. */
    public static String escape(String text) {
        if (text == null) return null;
        int first = firstControl(text);
        if (first < 0) return text;
        StringBuilder b = new StringBuilder(text.length() + 8).append(text, 0, first);
        for (int k = first; k < text.length(); k++) {
            char c = text.charAt(k);
            if (!isControl(c)) {
                b.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    private static int firstControl(String text) {
        for (int k = 0; k < text.length(); k++) {
            if (isControl(text.charAt(k))) return k;
        }
        return -1;
    }
}
