package io.redwatch.collector.rules.view;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/** Small pieces cut out of Redis log messages. Every method returns empty rather than guessing. */
public final class LogText {
    private LogText() {}

    /** The value of {@code name=} in a client description: {@code omem=268443524}, {@code flags=S}, {@code addr=10.0.0.1:5000}. */
    public static Optional<String> clientField(String text, String name) {
        String key = name + "=";
        int at = text.indexOf(key);
        while (at > 0 && text.charAt(at - 1) != ' ') at = text.indexOf(key, at + 1);
        if (at < 0) return Optional.empty();
        int start = at + key.length();
        int end = text.indexOf(' ', start);
        return Optional.of(end < 0 ? text.substring(start) : text.substring(start, end));
    }

    public static OptionalLong number(Optional<String> s) {
        if (s.isEmpty()) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(s.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The address after "slave " or "replica " (any case): "Connection with slave 10.0.0.2:6379 lost." gives 10.0.0.2:6379. */
    public static Optional<String> replicaAddress(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String word : new String[] {"slave ", "replica "}) {
            int at = lower.indexOf(word);
            while (at >= 0) {
                int start = at + word.length();
                int end = start;
                while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != ')') end++;
                String candidate = stripDot(text.substring(start, end));
                if (candidate.indexOf(':') > 0 && Character.isLetterOrDigit(candidate.charAt(0))
                        || candidate.startsWith("[")) {
                    return Optional.of(candidate);
                }
                at = lower.indexOf(word, start);
            }
        }
        return Optional.empty();
    }

    /** "Connecting to MASTER 10.242.73.46:6666" gives 10.242.73.46:6666. */
    public static Optional<String> masterAddress(String text) {
        int at = text.indexOf("Connecting to MASTER ");
        if (at < 0) return Optional.empty();
        String rest = text.substring(at + "Connecting to MASTER ".length()).trim();
        int end = rest.indexOf(' ');
        return Optional.of(stripDot(end < 0 ? rest : rest.substring(0, end)));
    }

    /** The number after the last ':' of "Full resync from master: runid:offset". */
    public static OptionalLong fullResyncOffset(String text) {
        int at = text.indexOf("Full resync from master:");
        if (at < 0) return OptionalLong.empty();
        int colon = text.lastIndexOf(':');
        return number(Optional.of(text.substring(colon + 1).trim()));
    }

    /** The run id of "Full resync from master: runid:offset". */
    public static Optional<String> fullResyncRunId(String text) {
        int at = text.indexOf("Full resync from master:");
        if (at < 0) return Optional.empty();
        String rest = text.substring(at + "Full resync from master:".length()).trim();
        int colon = rest.lastIndexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(rest.substring(0, colon));
    }

    /** N of "(Slave request was: N)" or "(Replica request was: N)". */
    public static OptionalLong requestedOffset(String text) {
        int at = text.indexOf("request was: ");
        if (at < 0) return OptionalLong.empty();
        int start = at + "request was: ".length();
        int end = start;
        while (end < text.length() && Character.isDigit(text.charAt(end))) end++;
        return number(Optional.of(text.substring(start, end)));
    }

    private static String stripDot(String s) {
        String t = s;
        while (t.endsWith(".") || t.endsWith(",")) t = t.substring(0, t.length() - 1);
        return t;
    }
}
