package io.redwatch.collector.alerting;

import java.util.List;

/**
 * Escapes control characters in what alerting renders (see {@link io.redwatch.common.text.ControlCharacters}):
 * instance names, host names and log lines come from agents, and a newline in one would otherwise end
 * a mail header and start a forged one ({@code X-Injected: yes}) or add lines to a page or an SMS.
 */
public final class ControlCharacters {
    private ControlCharacters() {}

    /** {@code text} with its control characters escaped, as in the collector's own log lines. */
    public static String escape(String text) {
        return io.redwatch.common.text.ControlCharacters.escape(text);
    }

    /** The notice with every text that came from the network or a rule escaped, ready to render. */
    public static Notice escape(Notice n) {
        List<NoticeItem> items = n.items().stream()
                .map(i -> new NoticeItem(
                        i.alertId(),
                        i.kind(),
                        escape(i.rule()),
                        i.severity(),
                        escape(i.instance()),
                        escape(i.host()),
                        escape(i.summary()),
                        i.evidence().stream().map(ControlCharacters::escape).toList(),
                        escape(i.advice()),
                        i.startedAtMs(),
                        i.resolvedAtMs()))
                .toList();
        SuppressedSummary s = n.suppressed();
        SuppressedSummary escaped = s.isEmpty()
                ? s
                : new SuppressedSummary(
                        s.count(),
                        s.sinceMs(),
                        s.examples().stream().map(ControlCharacters::escape).toList());
        return new Notice(escape(n.host()), items, escaped);
    }
}
