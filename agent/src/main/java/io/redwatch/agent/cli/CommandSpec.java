package io.redwatch.agent.cli;

import java.util.List;

/**
 * What a command accepts and how help describes it. {@code path} is what a user types to reach it
 * ({@code redwatch-agent snapshot}); {@code subcommands} are listed in help, each with the first
 * line of its description. Every command also answers {@code -h/--help} and {@code -V/--version}.
 */
public record CommandSpec(
        String path, List<String> description, List<OptionSpec> options, List<CommandSpec> subcommands) {
    public CommandSpec {
        description = List.copyOf(description);
        options = List.copyOf(options);
        subcommands = List.copyOf(subcommands);
    }

    /** The last word of the path: what selects this command as a subcommand. */
    public String name() {
        return path.substring(path.lastIndexOf(' ') + 1);
    }

    OptionSpec option(String name) {
        for (OptionSpec o : options) if (o.name().equals(name)) return o;
        return null;
    }
}
