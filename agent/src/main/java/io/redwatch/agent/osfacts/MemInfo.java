package io.redwatch.agent.osfacts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * /proc/meminfo: {@code Key:   value kB} lines. Values with a {@code kB} unit are kept in bytes, values
 * without a unit (HugePages_Total, ...) as the bare number. Lines of any other shape are kept in
 * {@link #unparsedLines()} rather than dropped.
 */
public record MemInfo(Map<String, Long> values, List<String> unparsedLines) {

    public MemInfo {
        values = Collections.unmodifiableMap(values);
        unparsedLines = List.copyOf(unparsedLines);
    }

    public static MemInfo parse(String text) {
        Map<String, Long> values = new HashMap<>();
        List<String> unparsed = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            String[] parts = colon > 0 ? line.substring(colon + 1).trim().split("\\s+") : new String[0];
            Long value = colon > 0 ? toBytes(parts) : null;
            if (value == null) {
                unparsed.add(line);
            } else {
                values.put(line.substring(0, colon).trim(), value);
            }
        }
        return new MemInfo(values, unparsed);
    }

    /** The value of {@code key} in bytes (or the bare number for unit-less keys); empty if absent. */
    public OptionalLong get(String key) {
        Long v = values.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static Long toBytes(String[] parts) {
        if (parts.length == 0 || parts.length > 2) {
            return null;
        }
        long number;
        try {
            number = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return null;
        }
        if (parts.length == 1) {
            return number;
        }
        // The kernel prints "kB" for every sized field, meaning KiB.
        return "kB".equals(parts[1]) ? Math.multiplyExact(number, 1024L) : null;
    }
}
