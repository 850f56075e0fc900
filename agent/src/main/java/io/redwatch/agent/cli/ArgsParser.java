package io.redwatch.agent.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code [COMMAND] [--option[=value]]...} against a tree of {@link CommandSpec}s. Small on
 * purpose: the agent's command line is a couple of words, and a general parser library cost it
 * some 300 loaded classes (its own and the reflection and converters it pulls in) for as long as
 * the agent runs. The error texts follow the ones users of the previous parser saw.
 */
public final class ArgsParser {
    private ArgsParser() {}

    public static ParsedArgs parse(CommandSpec root, List<String> args) {
        CommandSpec cmd = root;
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        boolean help = false;
        boolean version = false;
        boolean optionSeen = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            if (arg.equals("-V") || arg.equals("--version")) {
                version = true;
                continue;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                CommandSpec sub = optionSeen ? null : subcommand(cmd, arg);
                if (sub == null) throw new UsageException(cmd, "Unmatched argument at index " + i + ": '" + arg + "'");
                cmd = sub;
                continue;
            }
            optionSeen = true;
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            OptionSpec opt = cmd.option(name);
            if (opt == null) throw new UsageException(cmd, "Unknown option: '" + arg + "'");
            if (values.containsKey(name) || flags.contains(name)) {
                throw new UsageException(cmd, "option '" + name + "' should be specified only once");
            }
            if (!opt.takesValue()) {
                String v = eq < 0 ? "true" : arg.substring(eq + 1);
                if (!v.equals("true") && !v.equals("false")) {
                    throw new UsageException(
                            cmd, "Invalid value for option '" + name + "': '" + v + "' is not a boolean");
                }
                if (v.equals("true")) flags.add(name);
                continue;
            }
            String v;
            if (eq >= 0) {
                v = arg.substring(eq + 1);
            } else if (i + 1 < args.size() && !isOption(cmd, args.get(i + 1))) {
                v = args.get(++i);
            } else {
                throw new UsageException(
                        cmd, "Missing required parameter for option '" + name + "' (<" + opt.valueName() + ">)");
            }
            values.put(name, v);
        }
        return new ParsedArgs(cmd, values, flags, help, version);
    }

    private static CommandSpec subcommand(CommandSpec cmd, String word) {
        for (CommandSpec s : cmd.subcommands()) if (s.name().equals(word)) return s;
        return null;
    }

    /** A value may start with '-' ("-" for stdin), but not be one of the command's own options. */
    private static boolean isOption(CommandSpec cmd, String arg) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        return cmd.option(name) != null
                || name.equals("-h")
                || name.equals("--help")
                || name.equals("-V")
                || name.equals("--version");
    }
}
