package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.charAt;
import static io.redwatch.agent.tailing.Chars.isDigit;

/**
 * {@code redis_1  | …} or {@code redis-1  | …} as printed by docker-compose, with or without ANSI
 * colours and with or without {@code --timestamps}. Because "name | text" is common in ordinary
 * text, this prefix counts only when a Redis line or a timestamp follows it.
 */
final class ComposeWrapper {

    private final LogZone zone;
    private final InnerLine inner;

    ComposeWrapper(LogZone zone, InnerLine inner) {
        this.zone = zone;
        this.inner = inner;
    }

    boolean parse(String s, int p, long ref, LineFields f) {
        int i = skipAnsi(s, p);
        int nameStart = i;
        while (i < s.length() && isServiceNameChar(s.charAt(i))) {
            i++;
        }
        if (i == nameStart) {
            return false;
        }
        i = skipAnsi(s, i);
        int spaces = i;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        if (i == spaces || i >= s.length() || s.charAt(i) != '|') {
            return false;
        }
        i = skipAnsi(s, i + 1);
        if (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        i = skipAnsi(s, i);
        // docker compose logs --timestamps puts an RFC 3339 time before the container's line.
        WrapperStamp stamp = null;
        WrapperStamp candidate = new WrapperStamp();
        int afterStamp = isDigit(charAt(s, i)) ? candidate.readIso(s, i, zone) : -1;
        if (afterStamp > 0 && charAt(s, afterStamp) == ' ') {
            stamp = candidate;
            i = afterStamp + 1;
        }
        f.wrapper = "compose";
        if (stamp == null) {
            return inner.redisAt(s, i, ref, f);
        }
        return inner.read(s, i, ref, f, stamp, 0, 0);
    }

    /** Skips ANSI escape sequences (ESC '[' parameters final-byte) at i. */
    private static int skipAnsi(String s, int i) {
        while (charAt(s, i) == '\u001b' && charAt(s, i + 1) == '[') {
            int j = i + 2;
            while (j < s.length() && (isDigit(s.charAt(j)) || s.charAt(j) == ';')) {
                j++;
            }
            if (j >= s.length() || s.charAt(j) < 0x40 || s.charAt(j) > 0x7e) {
                return i;
            }
            i = j + 1;
        }
        return i;
    }

    private static boolean isServiceNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '-' || c == '.';
    }
}
