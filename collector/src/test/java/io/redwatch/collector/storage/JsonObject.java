package io.redwatch.collector.storage;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the flat {"key": "text", ...} objects PostgreSQL prints for jsonb (test side only). */
final class JsonObject {
    private JsonObject() {}

    static Map<String, String> parseFlat(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        int[] pos = {skip(json, 0)};
        expect(json, pos, '{');
        while (true) {
            pos[0] = skip(json, pos[0]);
            if (json.charAt(pos[0]) == '}') {
                return out;
            }
            String key = string(json, pos);
            pos[0] = skip(json, pos[0]);
            expect(json, pos, ':');
            pos[0] = skip(json, pos[0]);
            out.put(key, string(json, pos));
            pos[0] = skip(json, pos[0]);
            if (json.charAt(pos[0]) == ',') {
                pos[0]++;
            }
        }
    }

    private static String string(String s, int[] pos) {
        expect(s, pos, '"');
        StringBuilder out = new StringBuilder();
        for (int i = pos[0]; ; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                pos[0] = i + 1;
                return out.toString();
            }
            if (c == '\\') {
                char e = s.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            } else {
                out.append(c);
            }
        }
    }

    private static void expect(String s, int[] pos, char c) {
        if (s.charAt(pos[0]) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + pos[0] + " in " + s);
        }
        pos[0]++;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
