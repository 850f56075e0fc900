package io.redwatch.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One mapping of a YAML config file, read with typed getters whose errors name the full key path
 * ({@code redis[0].command_timeout}). Unknown keys are refused, because a misspelt key silently
 * falling back to its default is how a monitor ends up watching nothing.
 */
public final class YamlNode {
    private final String path;
    private final Map<String, Object> map;

    private YamlNode(String path, Map<String, Object> map) {
        this.path = path;
        this.map = map;
    }

    /** Reads {@code file} with {@code parser}; the top level must be a mapping (or nothing). */
    public static YamlNode load(Path file, YamlParser parser) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(
                    "cannot read config file " + file + ": no such file (check the path given to --config)");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("cannot read config file " + file + ": permission denied (the file or a directory"
                    + " above it is not readable by this user)");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException("cannot read config file " + file + ": it is not UTF-8 text");
        } catch (IOException e) {
            // The other IOExceptions say what failed; NoSuchFile and AccessDenied only repeat the path.
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Object root = parser.parse(text, file);
        if (root == null) return new YamlNode("", new LinkedHashMap<>());
        if (!(root instanceof Map)) throw new ConfigException(file + ": the top level must be a mapping of keys");
        return new YamlNode("", cast(root));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    public void allowOnly(Set<String> known) {
        for (String k : map.keySet()) {
            if (!known.contains(k)) {
                throw new ConfigException("unknown key '" + key(k) + "'; known keys here: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    public boolean has(String k) {
        return map.get(k) != null;
    }

    public String string(String k, String dflt) {
        Object v = map.get(k);
        if (v == null) return dflt;
        if (v instanceof Map || v instanceof List) throw new ConfigException(key(k) + " must be a single value");
        return String.valueOf(v);
    }

    public int integer(String k, int dflt) {
        Object v = map.get(k);
        if (v == null) return dflt;
        if (v instanceof Integer i) return i;
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key(k) + " must be a whole number, got '" + v + "'");
        }
    }

    public boolean bool(String k, boolean dflt) {
        Object v = map.get(k);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw new ConfigException(key(k) + " must be true or false, got '" + v + "'");
    }

    public Duration duration(String k, Duration dflt) {
        Object v = map.get(k);
        if (v == null) return dflt;
        return Durations.parse(String.valueOf(v), key(k));
    }

    public YamlNode child(String k) {
        Object v = map.get(k);
        if (v == null) return new YamlNode(key(k), new LinkedHashMap<>());
        if (!(v instanceof Map)) throw new ConfigException(key(k) + " must be a mapping of keys");
        return new YamlNode(key(k), cast(v));
    }

    public List<YamlNode> children(String k) {
        Object v = map.get(k);
        List<YamlNode> out = new ArrayList<>();
        if (v == null) return out;
        if (!(v instanceof List<?> list)) throw new ConfigException(key(k) + " must be a list");
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map))
                throw new ConfigException(key(k) + "[" + i + "] must be a mapping of keys");
            out.add(new YamlNode(key(k) + "[" + i + "]", cast(list.get(i))));
        }
        return out;
    }

    public List<String> strings(String k) {
        Object v = map.get(k);
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        if (v instanceof List<?> list) {
            for (Object o : list) out.add(String.valueOf(o));
        } else {
            out.add(String.valueOf(v));
        }
        return out;
    }

    public String path() {
        return path;
    }
}
