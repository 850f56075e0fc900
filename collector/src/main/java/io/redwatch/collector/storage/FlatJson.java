package io.redwatch.collector.storage;

import java.util.Map;

/** Writes a flat map of strings as JSON object text, for binding to a {@code ?::jsonb} parameter. */
final class FlatJson {
    private FlatJson() {}

    static String of(Map<String, String> fields) {
        StringBuilder out = new StringBuilder(fields.size() * 32 + 2);
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, e.getKey());
            out.append(':');
            string(out, e.getValue());
        }
        return out.append('}').toString();
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // PostgreSQL text cannot hold NUL, so \u0000 is replaced rather than rejected.
                    if (c == 0) {
                        out.append("\\ufffd");
                    } else if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
