package io.redwatch.collector.alerting;

import java.util.List;

/**
 * Shows control characters as visible escapes ({@code \n} as the two characters {@code \\n}, ESC as
 * {@code \\u001b}). Instance names, host names and log lines come from agents, i.e. from the
 * network: a name holding a newline would otherwise end a mail header and start a forged one
 * ({@code X-Injected: yes}), add lines to a page or an SMS, or forge lines in the collector's own
 * log. Escaping (rather than dropping) keeps what the agent sent visible to whoever investigates.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

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

    /** The notice with every text that came from the network or a rule escaped, ready to render. */
    public static Notice escape(Notice n) {
        List<NoticeItem> items = n.items().stream().map(i -> new NoticeItem(i.alertId(), i.kind(), escape(i.rule()),
                i.severity(), escape(i.instance()), escape(i.host()), escape(i.summary()),
                i.evidence().stream().map(ControlCharacters::escape).toList(), escape(i.advice()), i.startedAtMs(),
                i.resolvedAtMs())).toList();
        SuppressedSummary s = n.suppressed();
        SuppressedSummary escaped = s.isEmpty() ? s : new SuppressedSummary(s.count(), s.sinceMs(),
                s.examples().stream().map(ControlCharacters::escape).toList());
        return new Notice(escape(n.host()), items, escaped);
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
