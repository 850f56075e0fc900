package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.charAt;
import static io.redwatch.agent.tailing.Chars.isDigit;

/**
 * The part of an RFC 5424 syslog line after {@code <PRI>1 }: {@code TIMESTAMP HOST APP PROCID
 * MSGID SD MSG}. Labelled "syslog"; the PRI's severity gives a message-only line its level.
 */
final class Rfc5424Wrapper {

    private final LogZone zone;
    private final InnerLine inner;

    Rfc5424Wrapper(LogZone zone, InnerLine inner) {
        this.zone = zone;
        this.inner = inner;
    }

    boolean parse(String s, int i, long ref, LineFields f, int priority) {
        WrapperStamp stamp = new WrapperStamp();
        int afterStamp;
        if (charAt(s, i) == '-') {
            stamp = null; // NILVALUE: the message's own time, if any, will do
            afterStamp = i + 1;
        } else {
            afterStamp = stamp.readIso(s, i, zone);
        }
        if (afterStamp < 0 || charAt(s, afterStamp) != ' ') {
            return false;
        }
        int hostEnd = s.indexOf(' ', afterStamp + 1);
        int appEnd = hostEnd < 0 ? -1 : s.indexOf(' ', hostEnd + 1);
        int procEnd = appEnd < 0 ? -1 : s.indexOf(' ', appEnd + 1);
        int msgIdEnd = procEnd < 0 ? -1 : s.indexOf(' ', procEnd + 1);
        if (msgIdEnd < 0) {
            return false;
        }
        int pid = 0;
        for (int k = appEnd + 1; k < procEnd; k++) {
            char c = s.charAt(k);
            if (!isDigit(c) || pid > 100_000_000) {
                pid = 0; // PROCID is free text; only a number is a pid
                break;
            }
            pid = pid * 10 + (c - '0');
        }
        int sd = msgIdEnd + 1;
        int afterSd;
        if (charAt(s, sd) == '-') {
            afterSd = sd + 1;
        } else if (charAt(s, sd) == '[') {
            afterSd = skipStructuredData(s, sd);
            if (afterSd < 0) {
                return false;
            }
        } else {
            return false;
        }
        int msg = afterSd;
        if (msg < s.length()) {
            if (s.charAt(msg) != ' ') {
                return false;
            }
            msg++;
            if (charAt(s, msg) == '\uFEFF') {
                msg++; // RFC 5424 allows a BOM before a UTF-8 message
            }
        }
        f.wrapper = "syslog";
        return inner.read(s, msg, ref, f, stamp, pid, priority);
    }

    /** Skips one or more {@code [id key="value" …]} elements; -1 if one is not closed. */
    private static int skipStructuredData(String s, int i) {
        while (charAt(s, i) == '[') {
            i++;
            while (i < s.length() && s.charAt(i) != ']') {
                if (s.charAt(i) == '\\') {
                    i++;
                } else if (s.charAt(i) == '"') {
                    i++;
                    while (i < s.length() && s.charAt(i) != '"') {
                        if (s.charAt(i) == '\\') {
                            i++;
                        }
                        i++;
                    }
                }
                i++;
            }
            if (i >= s.length()) {
                return -1;
            }
            i++;
        }
        return i;
    }
}
