package io.redwatch.agent.tailing;

/**
 * Reads the two fields redwatch needs from one line of Docker's json-file log driver:
 * {@code {"log":"1:M 21 Nov 2026 05:30:34.123 * Ready\n","stream":"stdout","time":"2026-…Z"}}.
 *
 * <p>A tiny, strict walker over one JSON object instead of a JSON library: the agent must stay
 * small, and this is all it needs. Other members (including nested {@code attrs} objects) are
 * skipped. String escapes are decoded exactly as JSON defines them.
 */
final class DockerJsonLine {

    /** The decoded "log" member, or null. */
    String log;
    /** The decoded "time" member, or null. */
    String time;

    /** Returns null when {@code s} (from {@code from}) is not one well-formed JSON object. */
    static DockerJsonLine parse(String s, int from) {
        DockerJsonLine result = new DockerJsonLine();
        int[] end = new int[1];
        int i = skipWs(s, from);
        if (i >= s.length() || s.charAt(i) != '{') {
            return null;
        }
        i = skipWs(s, i + 1);
        if (i < s.length() && s.charAt(i) == '}') {
            return result;
        }
        while (true) {
            if (i >= s.length() || s.charAt(i) != '"') {
                return null;
            }
            // Keys are compared in place: decoding every key and unused value would double the garbage.
            int keyEnd = skipString(s, i);
            if (keyEnd < 0) {
                return null;
            }
            boolean isLog = keyEnd - i == 5 && s.startsWith("\"log\"", i);
            boolean isTime = keyEnd - i == 6 && s.startsWith("\"time\"", i);
            i = skipWs(s, keyEnd);
            if (i >= s.length() || s.charAt(i) != ':') {
                return null;
            }
            i = skipWs(s, i + 1);
            if (i >= s.length()) {
                return null;
            }
            if (s.charAt(i) == '"' && (isLog || isTime)) {
                String value = decodeString(s, i, end);
                if (value == null) {
                    return null;
                }
                if (isLog) {
                    result.log = value;
                } else {
                    result.time = value;
                }
                i = end[0];
            } else if (s.charAt(i) == '"') {
                i = skipString(s, i);
                if (i < 0) {
                    return null;
                }
            } else {
                i = skipValue(s, i);
                if (i < 0) {
                    return null;
                }
            }
            i = skipWs(s, i);
            if (i >= s.length()) {
                return null;
            }
            char c = s.charAt(i);
            if (c == '}') {
                // Only whitespace may follow the object.
                return skipWs(s, i + 1) == s.length() ? result : null;
            }
            if (c != ',') {
                return null;
            }
            i = skipWs(s, i + 1);
        }
    }

    /**
     * Decodes the JSON string starting at the quote {@code s[at]}; stores the index just past its
     * closing quote in {@code end[0]}. Returns null on a bad escape or a missing closing quote.
     */
    static String decodeString(String s, int at, int[] end) {
        int i = at + 1;
        int n = s.length();
        // Fast path: no escapes, no copy beyond the substring itself.
        int j = i;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '"') {
                end[0] = j + 1;
                return s.substring(i, j);
            }
            if (c == '\\') {
                break;
            }
            j++;
        }
        StringBuilder scratch = new StringBuilder(n - i);
        scratch.append(s, i, j);
        i = j;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                end[0] = i + 1;
                return scratch.toString();
            }
            if (c != '\\') {
                scratch.append(c);
                i++;
                continue;
            }
            if (i + 1 >= n) {
                return null;
            }
            char e = s.charAt(i + 1);
            switch (e) {
                case '"':
                    scratch.append('"');
                    break;
                case '\\':
                    scratch.append('\\');
                    break;
                case '/':
                    scratch.append('/');
                    break;
                case 'b':
                    scratch.append('\b');
                    break;
                case 'f':
                    scratch.append('\f');
                    break;
                case 'n':
                    scratch.append('\n');
                    break;
                case 'r':
                    scratch.append('\r');
                    break;
                case 't':
                    scratch.append('\t');
                    break;
                case 'u': {
                    if (i + 6 > n) {
                        return null;
                    }
                    int code = 0;
                    for (int k = i + 2; k < i + 6; k++) {
                        int digit = Character.digit(s.charAt(k), 16);
                        if (digit < 0) {
                            return null;
                        }
                        code = code * 16 + digit;
                    }
                    // Surrogate pairs arrive as two escapes; appending both halves rebuilds the character.
                    scratch.append((char) code);
                    i += 6;
                    continue;
                }
                default:
                    return null;
            }
            i += 2;
        }
        return null;
    }

    private static int skipWs(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    /** Skips a non-string value (number, literal, object, array); returns -1 when malformed. */
    private static int skipValue(String s, int i) {
        int depth = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                i = skipString(s, i);
                if (i < 0) {
                    return -1;
                }
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
            i++;
        }
        return depth == 0 ? i : -1;
    }

    private static int skipString(String s, int at) {
        for (int i = at + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return -1;
    }
}
