package io.redwatch.agent.sampling;

import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import java.util.Optional;

/**
 * Turns the text of a Redis INFO reply (live, or pasted by a person) into an {@link InfoSample}.
 *
 * <p>One pass over the lines:
 * <ul>
 *   <li>{@code # Name} opens a section. Every header opens a new section, so two pasted dumps that
 *       both contain {@code # Replication} give two sections, in order. A header is a single word
 *       (Redis never puts a space in a section name), so a pasted config comment such as
 *       {@code # save 900 1} is not mistaken for one.</li>
 *   <li>{@code key:value} is split at the first ':' only; the value is kept verbatim because many
 *       values carry their own structure ({@code slave0:ip=…,port=…}, {@code cmdstat_get:calls=…},
 *       an IPv6 address, a path). A key is non-empty and has no whitespace.</li>
 *   <li>Fields before any header go into a section named "".</li>
 *   <li>Anything else is kept in {@code unparsed_lines}: bad input loses nothing.</li>
 * </ul>
 * CRLF (the wire format) and LF (pasted text) are both accepted; blank lines are skipped. Leading
 * spaces and tabs are ignored because pasted INFO is often indented (markdown, e-mail).
 *
 * <p>To bound memory on hostile input, a kept unparsed line is cut at {@value #MAX_LINE_CHARS}
 * characters and at most {@value #MAX_UNPARSED_LINES} unparsed lines are kept; both cuts are
 * recorded in the kept text itself so a reader sees that something was left out.
 */
public final class InfoParser {

    static final int MAX_LINE_CHARS = 4096;
    static final int MAX_UNPARSED_LINES = 1000;

    private InfoParser() {}

    /**
     * Parses one INFO reply.
     *
     * @param text the reply as text; null is treated as empty
     * @param ref the instance the reply came from; null leaves the field unset
     * @param tsMs when the reply was read
     * @param source which INFO argument produced it ("everything", "all", "file")
     */
    public static InfoSample parse(String text, InstanceRef ref, long tsMs, String source) {
        InfoSample.Builder sample = InfoSample.newBuilder().setTsMs(tsMs);
        if (ref != null) {
            sample.setRef(ref);
        }
        if (source != null) {
            sample.setSource(source);
        }
        if (text == null || text.isEmpty()) {
            return sample.build();
        }

        InfoSection.Builder section = null;
        int unparsedSeen = 0;
        int length = text.length();
        int lineStart = 0;
        while (lineStart < length) {
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? length : newline;
            int next = newline < 0 ? length : newline + 1;
            int end = lineEnd;
            if (end > lineStart && text.charAt(end - 1) == '\r') {
                end--;
            }
            int start = skipIndent(text, lineStart, end);

            if (start < end) {
                char first = text.charAt(start);
                int colon = first == '#' ? -1 : indexOf(text, ':', start, end);
                if (first == '#' && isHeader(text, start, end)) {
                    if (section != null) {
                        sample.addSections(section);
                    }
                    section = InfoSection.newBuilder().setName(headerName(text, start, end));
                } else if (colon > start && isKey(text, start, colon)) {
                    if (section == null) {
                        section = InfoSection.newBuilder().setName("");
                    }
                    section.addFields(InfoField.newBuilder()
                            .setKey(text.substring(start, colon))
                            .setValue(text.substring(colon + 1, end)));
                } else {
                    unparsedSeen++;
                    if (unparsedSeen <= MAX_UNPARSED_LINES) {
                        // Keep the line as read (indentation included): it is evidence, not data.
                        sample.addUnparsedLines(capped(text, lineStart, end));
                    }
                }
            }
            lineStart = next;
        }
        if (section != null) {
            sample.addSections(section);
        }
        if (unparsedSeen > MAX_UNPARSED_LINES) {
            sample.addUnparsedLines("[redwatch: " + (unparsedSeen - MAX_UNPARSED_LINES)
                    + " more unparsed lines dropped; only the first " + MAX_UNPARSED_LINES + " are kept]");
        }
        return sample.build();
    }

    /** The value of the first field named {@code key}, searching the sections in order. */
    public static Optional<String> field(InfoSample sample, String key) {
        for (InfoSection section : sample.getSectionsList()) {
            for (InfoField field : section.getFieldsList()) {
                if (field.getKey().equals(key)) {
                    return Optional.of(field.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private static int skipIndent(String text, int from, int end) {
        int i = from;
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int indexOf(String text, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Real keys are printable words ({@code used_memory}, {@code cmdstat_client|list},
     * {@code errorstat_ERR}); control characters or U+FFFD (what undecodable bytes become) mean the
     * line is binary garbage that merely happens to contain a ':'.
     */
    private static boolean isKey(String text, int from, int end) {
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '\uFFFD' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasWhitespace(String text, int from, int end) {
        for (int i = from; i < end; i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** "#", optional blanks, then exactly one word, then optional trailing blanks. */
    private static boolean isHeader(String text, int start, int end) {
        int nameStart = skipIndent(text, start + 1, end);
        int nameEnd = trimEnd(text, nameStart, end);
        return nameStart < nameEnd && !hasWhitespace(text, nameStart, nameEnd);
    }

    private static String headerName(String text, int start, int end) {
        int nameStart = skipIndent(text, start + 1, end);
        return text.substring(nameStart, trimEnd(text, nameStart, end));
    }

    private static int trimEnd(String text, int start, int end) {
        int e = end;
        while (e > start && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        return e;
    }

    private static String capped(String text, int start, int end) {
        int length = end - start;
        if (length <= MAX_LINE_CHARS) {
            return text.substring(start, end);
        }
        int cut = start + MAX_LINE_CHARS;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--; // never split a surrogate pair: the result must stay valid UTF-16 for protobuf
        }
        return text.substring(start, cut) + "…[redwatch: line cut, " + length + " characters in total]";
    }
}
