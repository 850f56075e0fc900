package io.redwatch.collector.alerting.sms;

import io.redwatch.collector.alerting.AlertTimes;
import io.redwatch.collector.alerting.ControlCharacters;
import io.redwatch.collector.alerting.Notice;
import io.redwatch.collector.alerting.NoticeItem;
import io.redwatch.collector.alerting.NotificationKind;
import io.redwatch.collector.alerting.SuppressedSummary;
import io.redwatch.collector.rules.Severity;
import java.time.ZoneId;
import java.util.List;

/**
 * The text of an alert SMS, made to fit one SMS: 160 GSM-7 characters, or 70 UCS-2 characters
 * once the text holds anything GSM-7 cannot encode (Chinese, for one). What does not fit is cut at
 * a word boundary and marked with an ellipsis; a word is never split. The most important part
 * comes first (severity, rule, instance, counts), so what is cut is the tail of summary or advice.
 *
 * <p>The ellipsis of a GSM-7 text is "..." because "…" is not in GSM-7: it would switch the whole
 * message to UCS-2 and cut it to 70 characters.
 */
public final class SmsText {
    public static final int GSM_LIMIT = 160;
    public static final int UCS2_LIMIT = 70;

    // GSM 03.38 default alphabet, and the extension table whose characters take two septets.
    private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final String GSM_EXTENDED = "^{}\\[~]|€\f";

    private final ZoneId zone;

    public SmsText(ZoneId zone) {
        this.zone = zone;
    }

    /** The fitted text of a notice. */
    public String render(Notice n) {
        return fit(raw(ControlCharacters.escape(n)));
    }

    String raw(Notice n) {
        List<NoticeItem> items = n.items();
        SuppressedSummary s = n.suppressed();
        String suppressed =
                s.isEmpty() ? "" : " (+" + s.count() + " suppressed since " + AlertTimes.clock(s.sinceMs(), zone) + ")";
        if (items.isEmpty()) {
            return "[redwatch] " + s.count() + " alerts suppressed since " + AlertTimes.clock(s.sinceMs(), zone) + ": "
                    + String.join(", ", s.examples());
        }
        if (items.size() == 1) {
            NoticeItem i = items.get(0);
            String head = (i.kind() == NotificationKind.RESOLVED
                            ? "[RESOLVED]"
                            : "[" + i.severity().name() + "]")
                    + " " + i.rule() + " " + i.instance() + (i.kind() == NotificationKind.REPEAT ? " still firing" : "")
                    + suppressed + ": " + i.summary();
            return i.kind() == NotificationKind.RESOLVED
                            || i.advice() == null
                            || i.advice().isBlank()
                    ? head
                    : head + " Fix: " + i.advice();
        }
        Severity worst = n.worstFiring();
        long resolved = n.count(NotificationKind.RESOLVED);
        StringBuilder b = new StringBuilder();
        b.append(worst == null ? "[RESOLVED]" : "[" + worst.name() + "]")
                .append(' ')
                .append(
                        items.size() - resolved == 0 || resolved == 0
                                ? items.size() + " alerts"
                                : (items.size() - resolved) + " firing, " + resolved + " resolved")
                .append(" on ")
                .append(n.host())
                .append(suppressed)
                .append(':');
        for (int k = 0; k < items.size() && b.length() < 2 * GSM_LIMIT; k++) {
            NoticeItem i = items.get(k);
            b.append(k == 0 ? " " : ", ").append(i.rule()).append(' ').append(i.instance());
        }
        return b.toString();
    }

    /** Whether every character of {@code text} is in the GSM-7 alphabet (with its extension). */
    public static boolean isGsm7(CharSequence text) {
        for (int k = 0; k < text.length(); k++) {
            char ch = text.charAt(k);
            if (GSM_BASIC.indexOf(ch) < 0 && GSM_EXTENDED.indexOf(ch) < 0) return false;
        }
        return true;
    }

    /** Length in the units of its encoding: septets for GSM-7, UTF-16 code units for UCS-2. */
    public static int length(CharSequence text) {
        if (!isGsm7(text)) return text.length();
        int n = 0;
        for (int k = 0; k < text.length(); k++) n += GSM_EXTENDED.indexOf(text.charAt(k)) >= 0 ? 2 : 1;
        return n;
    }

    /** The limit of one SMS for this text: 160 for GSM-7, 70 for UCS-2. */
    public static int limit(CharSequence text) {
        return isGsm7(text) ? GSM_LIMIT : UCS2_LIMIT;
    }

    /** {@code text} unchanged when it fits one SMS; else cut at a word boundary, ending with an ellipsis. */
    public static String fit(String text) {
        String t = text.strip();
        boolean gsm = isGsm7(t);
        int limit = gsm ? GSM_LIMIT : UCS2_LIMIT;
        if (length(t) <= limit) return t;
        String ellipsis = gsm ? "..." : "…";
        int budget = limit - length(ellipsis);
        // Walk forward, remembering the last boundary whose prefix still fits.
        int used = 0;
        int best = -1;
        for (int k = 0; k < t.length(); k++) {
            if (isBoundary(t, k)) {
                String prefix = trimEnd(t.substring(0, k));
                if (!prefix.isEmpty() && length(prefix) <= budget) best = k;
            }
            char ch = t.charAt(k);
            used += gsm && GSM_EXTENDED.indexOf(ch) >= 0 ? 2 : 1;
            if (used > budget) break;
        }
        String head;
        if (best > 0) {
            head = trimEnd(t.substring(0, best));
        } else {
            // One word longer than a whole SMS: nothing to keep whole, so cut it (never split a surrogate pair).
            int cut = budget;
            if (gsm) {
                int u = 0;
                cut = 0;
                while (cut < t.length() && u + (GSM_EXTENDED.indexOf(t.charAt(cut)) >= 0 ? 2 : 1) <= budget) {
                    u += GSM_EXTENDED.indexOf(t.charAt(cut)) >= 0 ? 2 : 1;
                    cut++;
                }
            } else if (Character.isHighSurrogate(t.charAt(cut - 1))) {
                cut--;
            }
            head = t.substring(0, cut);
        }
        return head + ellipsis;
    }

    /** A cut before position k keeps whole words: after a space, or between two CJK characters. */
    private static boolean isBoundary(String t, int k) {
        if (k == 0 || k >= t.length()) return false;
        char before = t.charAt(k - 1);
        char at = t.charAt(k);
        if (Character.isWhitespace(at) || Character.isWhitespace(before)) return true;
        if (Character.isHighSurrogate(before)) return false;
        // Chinese and Japanese are written without spaces; each character (or punctuation mark) stands alone.
        return isCjk(before) || isCjk(at);
    }

    private static boolean isCjk(char ch) {
        Character.UnicodeScript s = Character.UnicodeScript.of(ch);
        if (s == Character.UnicodeScript.HAN
                || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA) {
            return true;
        }
        Character.UnicodeBlock b = Character.UnicodeBlock.of(ch);
        return b == Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION
                || b == Character.UnicodeBlock.HALFWIDTH_AND_FULLWIDTH_FORMS;
    }

    /** Drops trailing spaces and the separators that would dangle before the ellipsis. */
    private static String trimEnd(String s) {
        int end = s.length();
        while (end > 0 && (Character.isWhitespace(s.charAt(end - 1)) || ",;:(-".indexOf(s.charAt(end - 1)) >= 0)) end--;
        return s.substring(0, end);
    }
}
