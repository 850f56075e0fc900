package io.redwatch.agent.config;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.YamlParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads agent.yaml: the part of YAML a config file of keys, lists and one-line values uses, into
 * maps, lists, strings, Integers, Longs and Booleans as SnakeYAML's safe loader would give them.
 * Block mappings and lists (also "- key: value" items and a list at its key's indentation), plain,
 * 'single' and "double" quoted scalars, comments, one-line flow lists and mappings of scalars
 * ({@code [a, b]}, {@code {k: v}}), a leading {@code ---}. Anything else (anchors, aliases, tags,
 * multi-line values, several documents) is refused with its line, never guessed at.
 *
 * <p>Why not SnakeYAML, which the collector keeps: on the agent it loaded ~200 classes of its own
 * and of the JDK (regex, {@code java.beans}, {@code java.sql}) to read a dozen keys once, 0.3-0.7 MB of
 * resident memory for the agent's whole life on every Redis host (issue 11), and it tied the agent to
 * JDK modules it otherwise never needs.
 */
public final class BlockYamlParser implements YamlParser {
    /** YAML 1.1 booleans, as SnakeYAML resolves them. */
    private static final Pattern TRUE = Pattern.compile("yes|Yes|YES|true|True|TRUE|on|On|ON");

    private static final Pattern FALSE = Pattern.compile("no|No|NO|false|False|FALSE|off|Off|OFF");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9]*)");

    private record Line(int number, int indent, String text) {}

    private Path file;
    private List<Line> lines;
    private int next;

    @Override
    public Object parse(String text, Path file) {
        this.file = file;
        this.lines = lines(text);
        this.next = 0;
        if (lines.isEmpty()) return null;
        Object root = block(lines.get(0).indent());
        if (next < lines.size()) throw error(lines.get(next), "this line is indented less than the lines before it");
        return root;
    }

    /** Non-blank, non-comment lines, indentation measured; a leading "---" dropped. */
    private List<Line> lines(String text) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String[] raw = text.split("\r?\n", -1);
        List<Line> out = new ArrayList<>();
        Line ended = null;
        for (int i = 0; i < raw.length; i++) {
            String s = raw[i];
            int indent = 0;
            while (indent < s.length() && s.charAt(indent) == ' ') indent++;
            String rest = s.substring(indent).stripTrailing();
            if (rest.isEmpty() || rest.startsWith("#")) continue;
            Line line = new Line(i + 1, indent, rest);
            if (rest.startsWith("\t")) throw error(line, "a tab in the indentation; YAML indents with spaces only");
            if (rest.startsWith("%")) throw unsupported(line, "YAML directives (%) are not supported; remove the line");
            if (rest.equals("---") || rest.startsWith("--- ")) {
                if (!out.isEmpty())
                    throw unsupported(line, "a second YAML document; agent.yaml holds one, remove this '---'");
                if (!rest.equals("---") && !uncomment(rest.substring(4)).isEmpty()) {
                    throw unsupported(line, "a value on the '---' line; start the keys on the next line");
                }
                continue;
            }
            if (rest.equals("...")) {
                ended = line;
                continue;
            }
            if (ended != null) {
                throw unsupported(
                        line,
                        "text after the document's end ('...' on line " + ended.number()
                                + "); agent.yaml holds one document, remove the '...'");
            }
            out.add(line);
        }
        return out;
    }

    /** The mapping or list whose lines start at {@code indent}. */
    private Object block(int indent) {
        Line first = lines.get(next);
        return isItem(first.text()) ? sequence(indent) : mapping(indent);
    }

    private Map<String, Object> mapping(int indent) {
        Map<String, Object> map = new LinkedHashMap<>();
        while (next < lines.size()) {
            Line line = lines.get(next);
            if (line.indent() < indent) break;
            if (line.indent() > indent)
                throw error(line, "unexpected indentation; align this key with the keys above it");
            if (isItem(line.text())) throw error(line, "a list item where a key was expected");
            int colon = keyEnd(line);
            if (colon < 0) {
                throw error(line, "expected 'key: value'; a value on its own line must be indented under its key");
            }
            String key = key(line, line.text().substring(0, colon).strip());
            String rest = line.text().substring(colon + 1);
            next++;
            Object value;
            if (!uncomment(rest).isEmpty()) {
                value = inline(line, uncomment(rest));
            } else if (next < lines.size() && lines.get(next).indent() > indent) {
                value = block(lines.get(next).indent());
            } else if (next < lines.size()
                    && lines.get(next).indent() == indent
                    && isItem(lines.get(next).text())) {
                value = sequence(indent); // "key:" then "- item" at the key's own indentation
            } else {
                value = null;
            }
            if (map.containsKey(key)) throw twice(key, line);
            map.put(key, value);
        }
        return map;
    }

    private List<Object> sequence(int indent) {
        List<Object> list = new ArrayList<>();
        while (next < lines.size()) {
            Line line = lines.get(next);
            if (line.indent() < indent || (line.indent() == indent && !isItem(line.text()))) break;
            if (line.indent() > indent)
                throw error(line, "unexpected indentation; align this item with the items above it");
            String text = line.text();
            int offset = 1;
            while (offset < text.length() && text.charAt(offset) == ' ') offset++;
            String rest = uncomment(text.substring(offset));
            if (rest.isEmpty()) {
                next++;
                list.add(
                        next < lines.size() && lines.get(next).indent() > indent
                                ? block(lines.get(next).indent())
                                : null);
            } else if (isItem(rest) || keyEnd(new Line(line.number(), 0, rest)) >= 0) {
                // "- key: value" or "- - item": the item is a block that starts on this line, at the column of rest
                lines.set(next, new Line(line.number(), indent + offset, text.substring(offset)));
                list.add(block(indent + offset));
            } else {
                next++;
                list.add(inline(line, rest));
            }
        }
        return list;
    }

    private static boolean isItem(String text) {
        return text.equals("-") || text.startsWith("- ");
    }

    /** Where the key's colon is ("key: value" or "key:"), or -1 when the line is not a key. */
    private int keyEnd(Line line) {
        String t = line.text();
        char c = t.charAt(0);
        if (c == '"' || c == '\'') {
            int close = closingQuote(line, t, 0);
            int after = close + 1;
            while (after < t.length() && t.charAt(after) == ' ') after++;
            return after < t.length() && t.charAt(after) == ':' && isValueStart(t, after + 1) ? after : -1;
        }
        if (c == '[' || c == '{') return -1;
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '#' && i > 0 && isBlank(t.charAt(i - 1))) return -1;
            if (ch == ':' && i + 1 < t.length() && t.charAt(i + 1) == '\t') {
                throw error(line, "a tab after ':'; YAML needs a space there");
            }
            if (ch == ':' && isValueStart(t, i + 1)) return i;
        }
        return -1;
    }

    /** Space or tab: either may come before a comment's '#'. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isValueStart(String t, int i) {
        return i == t.length() || t.charAt(i) == ' ';
    }

    private String key(Line line, String raw) {
        if (raw.isEmpty()) throw error(line, "a key is missing before ':'");
        char c = raw.charAt(0);
        if (c == '"' || c == '\'') return quoted(line, raw);
        if (c == '?' || c == '&' || c == '*' || c == '!') {
            throw unsupported(line, "complex keys, anchors, aliases and tags are not supported in agent.yaml");
        }
        return raw;
    }

    /** A one-line value: quoted, flow list or mapping, or plain scalar. */
    private Object inline(Line line, String v) {
        char c = v.charAt(0);
        switch (c) {
            case '"', '\'' -> {
                return quoted(line, v);
            }
            case '[' -> {
                if (!v.endsWith("]")) throw error(line, "a list in [ ] must close on the same line");
                List<Object> list = new ArrayList<>();
                for (String item : flowItems(line, v.substring(1, v.length() - 1))) list.add(scalar(line, item));
                return list;
            }
            case '{' -> {
                if (!v.endsWith("}")) throw error(line, "a mapping in { } must close on the same line");
                Map<String, Object> map = new LinkedHashMap<>();
                for (String item : flowItems(line, v.substring(1, v.length() - 1))) {
                    int colon = keyEnd(new Line(line.number(), 0, item));
                    if (colon < 0) throw error(line, "'" + item + "' in { } is not 'key: value'");
                    String key = key(line, item.substring(0, colon).strip());
                    String value = item.substring(colon + 1).strip();
                    if (map.containsKey(key)) throw twice(key, line);
                    map.put(key, value.isEmpty() ? null : scalar(line, value));
                }
                return map;
            }
            case '&', '*', '!' ->
                throw unsupported(
                        line,
                        "anchors (&), aliases (*) and tags (!) are not supported in agent.yaml;"
                                + " write the value itself");
            case '|', '>' ->
                throw unsupported(
                        line,
                        "multi-line values (| and >) are not supported in agent.yaml;"
                                + " write the value on one line, in quotes if needed");
            case '@', '`', '%' -> throw error(line, "a value cannot start with '" + c + "'; put it in quotes");
            default -> {
                return scalar(line, v);
            }
        }
    }

    /** The items of a one-line flow collection, split at commas outside quotes; no nesting. */
    private List<String> flowItems(Line line, String body) {
        List<String> items = new ArrayList<>();
        if (body.isBlank()) return items;
        int start = 0;
        for (int i = 0; i <= body.length(); i++) {
            if (i < body.length()) {
                char ch = body.charAt(i);
                String before = body.substring(start, i).strip();
                if ((ch == '"' || ch == '\'') && (before.isEmpty() || before.endsWith(":"))) {
                    // a quoted item, key or value: its commas are text
                    i = closingQuote(line, body, i);
                    continue;
                }
                if (ch == '[' || ch == ']' || ch == '{' || ch == '}') {
                    throw unsupported(line, "nested [ ] or { } are not supported in agent.yaml; use indented lines");
                }
                if (ch != ',') continue;
            }
            String item = body.substring(start, i).strip();
            if (item.isEmpty()) {
                if (i == body.length() && !items.isEmpty()) break; // a trailing comma, as YAML allows
                throw error(line, "an empty item between commas");
            }
            items.add(item);
            start = i + 1;
        }
        return items;
    }

    private Object scalar(Line line, String v) {
        char c = v.charAt(0);
        if (c == '"' || c == '\'') return quoted(line, v);
        if ("&*!|>@`%[]{}".indexOf(c) >= 0) return inline(line, v);
        if (NULL.matcher(v).matches()) return null;
        if (TRUE.matcher(v).matches()) return Boolean.TRUE;
        if (FALSE.matcher(v).matches()) return Boolean.FALSE;
        if (DECIMAL.matcher(v).matches()) {
            try {
                long l = Long.parseLong(v.startsWith("+") ? v.substring(1) : v);
                return l == (int) l ? (Object) (int) l : (Object) l;
            } catch (NumberFormatException e) {
                return v; // past a long: the typed getter says it is not a whole number it can use
            }
        }
        return v;
    }

    /** The text of a quoted scalar that is the whole of {@code v} (a comment may follow). */
    private String quoted(Line line, String v) {
        int close = closingQuote(line, v, 0);
        String after = uncomment(v.substring(close + 1));
        if (!after.isEmpty()) throw error(line, "text after the closing quote: '" + after + "'");
        String body = v.substring(1, close);
        return v.charAt(0) == '\'' ? body.replace("''", "'") : unescape(line, body);
    }

    /** Index of the quote closing the one at {@code open}. */
    private int closingQuote(Line line, String s, int open) {
        char q = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (q == '"' && ch == '\\') {
                i++;
            } else if (ch == q) {
                if (q == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i++; // '' is a quote inside single quotes
                } else {
                    return i;
                }
            }
        }
        throw unsupported(
                line, "the quote " + q + " is not closed on this line (multi-line quoted values are not supported)");
    }

    private String unescape(Line line, String body) {
        if (body.indexOf('\\') < 0) return body;
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char ch = body.charAt(i);
            if (ch != '\\') {
                sb.append(ch);
                continue;
            }
            if (++i == body.length()) throw error(line, "a backslash at the end of a quoted value; write \\\\");
            char e = body.charAt(i);
            switch (e) {
                case '\\', '"', '/' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0' -> sb.append('\0');
                case ' ' -> sb.append(' ');
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + digits >= body.length()) {
                        throw error(line, "'\\" + e + "' needs " + digits + " hex digits");
                    }
                    String hex = body.substring(i + 1, i + 1 + digits);
                    try {
                        sb.appendCodePoint(Integer.parseInt(hex, 16));
                    } catch (IllegalArgumentException ex) {
                        throw error(line, "'\\" + e + hex + "' is not a character code");
                    }
                    i += digits;
                }
                default ->
                    throw error(line, "unknown escape '\\" + e + "' in double quotes; write \\\\ for a backslash");
            }
        }
        return sb.toString();
    }

    /**
     * {@code s} without a trailing " # comment", stripped. A '#' inside a quoted scalar is text: a
     * quote opens one only where a token starts (after a space, '[', '{', ',' or at the start), so the
     * apostrophe of a plain {@code it's} is not a quote.
     */
    private static String uncomment(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quote != 0) {
                if (quote == '"' && ch == '\\') {
                    i++;
                } else if (ch == quote) {
                    if (quote == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') i++;
                    else quote = 0;
                }
            } else if ((ch == '"' || ch == '\'') && (i == 0 || " [{,".indexOf(s.charAt(i - 1)) >= 0)) {
                quote = ch;
            } else if (ch == '#' && (i == 0 || isBlank(s.charAt(i - 1)))) {
                return s.substring(0, i).strip();
            }
        }
        return s.strip();
    }

    private ConfigException twice(String key, Line line) {
        return new ConfigException(file + ": key '" + key + "' is given twice (line " + line.number()
                + "); keep one of the two, as only one can count");
    }

    private ConfigException error(Line line, String problem) {
        return new ConfigException(file + " is not valid YAML, line " + line.number() + ": " + problem);
    }

    /** Valid YAML that this reader does not take: said as such, so nobody hunts for a typo. */
    private ConfigException unsupported(Line line, String problem) {
        return new ConfigException(file + ", line " + line.number() + ": " + problem);
    }
}
