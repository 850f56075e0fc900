package io.redwatch.collector.alerting.email;

import io.redwatch.collector.alerting.AlertTimes;
import io.redwatch.collector.alerting.ControlCharacters;
import io.redwatch.collector.alerting.Notice;
import io.redwatch.collector.alerting.NoticeItem;
import io.redwatch.collector.alerting.NotificationKind;
import io.redwatch.collector.alerting.SuppressedSummary;
import io.redwatch.collector.rules.Severity;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

/**
 * The subject and plain-text body of an alert email: severity, rule and instance in the subject
 * ({@code [CRITICAL] fork_enomem on db1:6379}), then for each alert its summary, evidence and
 * advice in short lines that read on a phone. A large group lists the first alerts in full and
 * the rest one line each, so a storm stays one readable message.
 */
public final class EmailText {
    static final int FULL_ITEMS = 10;
    static final int LISTED_ITEMS = 200;

    private final ZoneId zone;

    public EmailText(ZoneId zone) {
        this.zone = zone;
    }

    /** A header value: every control character escaped, so no name can end the header or start another. */
    public String subject(Notice notice) {
        Notice n = ControlCharacters.escape(notice);
        List<NoticeItem> items = n.items();
        String suppressed =
                n.suppressed().isEmpty() ? "" : " (+" + n.suppressed().count() + " suppressed)";
        if (items.isEmpty()) {
            return "[redwatch] " + n.suppressed().count() + " alerts suppressed since "
                    + AlertTimes.clock(n.suppressed().sinceMs(), zone);
        }
        if (items.size() == 1) {
            NoticeItem i = items.get(0);
            return switch (i.kind()) {
                case FIRING -> tag(i.severity()) + " " + i.title() + suppressed;
                case REPEAT ->
                    tag(i.severity()) + " " + i.title() + " (still firing since "
                            + AlertTimes.clock(i.startedAtMs(), zone) + ")" + suppressed;
                case RESOLVED -> "[RESOLVED] " + i.title() + suppressed;
            };
        }
        Severity worst = n.worstFiring();
        long resolved = n.count(NotificationKind.RESOLVED);
        long firing = items.size() - resolved;
        String counts = resolved == 0
                ? items.size() + " alerts"
                : firing == 0 ? items.size() + " resolved" : firing + " firing, " + resolved + " resolved";
        String tag = worst == null ? "[RESOLVED]" : tag(worst);
        return tag + " " + counts + " on " + n.host() + ": " + items.get(0).title() + (items.size() > 1 ? ", …" : "")
                + suppressed;
    }

    /** The body, with control characters in names, log lines and advice escaped: no value adds a line. */
    public String body(Notice notice) {
        Notice n = ControlCharacters.escape(notice);
        StringBuilder b = new StringBuilder(512);
        List<NoticeItem> items = n.items();
        for (int k = 0; k < items.size() && k < FULL_ITEMS; k++) {
            if (k > 0) b.append("\n----------------\n\n");
            item(b, items.get(k));
        }
        if (items.size() > FULL_ITEMS) {
            b.append("\n----------------\n")
                    .append(items.size() - FULL_ITEMS)
                    .append(" more on ")
                    .append(n.host())
                    .append(":\n");
            int listed = 0;
            for (int k = FULL_ITEMS; k < items.size() && listed < LISTED_ITEMS; k++, listed++) {
                NoticeItem i = items.get(k);
                b.append("- ")
                        .append(word(i))
                        .append(' ')
                        .append(i.title())
                        .append(": ")
                        .append(i.summary())
                        .append('\n');
            }
            int rest = items.size() - FULL_ITEMS - listed;
            if (rest > 0) b.append("- and ").append(rest).append(" more\n");
        }
        SuppressedSummary s = n.suppressed();
        if (!s.isEmpty()) {
            b.append(items.isEmpty() ? "" : "\n----------------\n")
                    .append("And ")
                    .append(s.count())
                    .append(" more alerts suppressed by the rate limit since ")
                    .append(AlertTimes.full(s.sinceMs(), zone))
                    .append(": ")
                    .append(String.join(", ", s.examples()))
                    .append(s.examples().size() < s.count() ? ", …" : "")
                    .append('\n');
        }
        b.append("\n-- \nredwatch");
        return b.toString();
    }

    private void item(StringBuilder b, NoticeItem i) {
        b.append(word(i)).append(' ').append(i.title()).append('\n');
        b.append(i.summary()).append("\n\n");
        if (!i.evidence().isEmpty()) {
            b.append("Evidence:\n");
            for (String e : i.evidence()) b.append("- ").append(e).append('\n');
            b.append('\n');
        }
        if (i.kind() != NotificationKind.RESOLVED
                && i.advice() != null
                && !i.advice().isBlank()) {
            b.append("Advice:\n").append(i.advice()).append("\n\n");
        }
        b.append("Instance: ")
                .append(i.instance())
                .append(" (host ")
                .append(i.host())
                .append(")\n");
        b.append("Started: ").append(AlertTimes.full(i.startedAtMs(), zone)).append('\n');
        if (i.kind() == NotificationKind.RESOLVED) {
            b.append("Resolved: ")
                    .append(AlertTimes.full(i.resolvedAtMs(), zone))
                    .append(" (lasted ")
                    .append(AlertTimes.age(i.resolvedAtMs() - i.startedAtMs()))
                    .append(")\n");
        }
    }

    private static String word(NoticeItem i) {
        return i.kind() == NotificationKind.RESOLVED ? "RESOLVED" : i.severity().name();
    }

    private static String tag(Severity s) {
        return "[" + s.name().toUpperCase(Locale.ROOT) + "]";
    }
}
