package io.redwatch.agent.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The options one command line gave, by name; absent options read as null (values) or false (flags). */
public record ParsedArgs(
        CommandSpec command, Map<String, String> values, Set<String> flags, boolean help, boolean version) {
    public ParsedArgs {
        values = Map.copyOf(values);
        flags = Set.copyOf(flags);
    }

    public String value(String name) {
        return values.get(name);
    }

    public Path path(String name) {
        String v = values.get(name);
        try {
            return v == null ? null : Path.of(v);
        } catch (InvalidPathException e) {
            throw new UsageException(command, "Invalid value for option '" + name + "': " + e.getMessage());
        }
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }
}
