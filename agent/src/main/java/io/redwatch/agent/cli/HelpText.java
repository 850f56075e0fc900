package io.redwatch.agent.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A command's help, in 80 columns: usage line, description, options (sorted), subcommands. */
public final class HelpText {
    private static final int WIDTH = 80;
    private static final int OPTION_COLUMN = 29;
    private static final OptionSpec HELP = OptionSpec.flag("-h, --help", "Show this help message and exit.");
    private static final OptionSpec VERSION = OptionSpec.flag("-V, --version", "Print version information and exit.");

    private HelpText() {}

    public static String render(CommandSpec cmd) {
        StringBuilder b = new StringBuilder();
        List<String> usage = new ArrayList<>();
        usage.add("[-hV]");
        List<OptionSpec> sorted = new ArrayList<>(cmd.options());
        sorted.sort(Comparator.comparing(o -> o.name()));
        for (OptionSpec o : sorted) usage.add("[" + o.synopsis() + "]");
        if (!cmd.subcommands().isEmpty()) usage.add("[COMMAND]");
        String head = "Usage: " + cmd.path() + " ";
        wrap(b, head, head.length(), String.join(" ", usage));
        for (String d : cmd.description()) wrap(b, "", 0, d);
        List<OptionSpec> listed = new ArrayList<>(sorted);
        listed.add(HELP);
        listed.add(VERSION);
        listed.sort(Comparator.comparing(
                o -> o.name().startsWith("-h") ? "--help" : o.name().startsWith("-V") ? "--version" : o.name()));
        for (OptionSpec o : listed) {
            String left = (o.name().startsWith("--") ? "      " : "  ") + o.synopsis();
            if (left.length() + 1 > OPTION_COLUMN) {
                b.append(left).append('\n');
                left = "";
            }
            wrap(b, pad(left, OPTION_COLUMN), OPTION_COLUMN + 2, o.description());
        }
        if (!cmd.subcommands().isEmpty()) {
            b.append("Commands:\n");
            for (CommandSpec s : cmd.subcommands()) {
                wrap(b, pad("  " + s.name(), 12), 14, s.description().get(0));
            }
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        StringBuilder b = new StringBuilder(s);
        while (b.length() < width) b.append(' ');
        return b.toString();
    }

    /** Appends {@code first + text}, breaking at spaces before column 80; later lines indented by {@code indent}. */
    private static void wrap(StringBuilder b, String first, int indent, String text) {
        StringBuilder line = new StringBuilder(first);
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                b.append(line).append('\n');
                line = new StringBuilder(pad("", indent));
                empty = true;
            }
            if (!empty) line.append(' ');
            line.append(word);
            empty = false;
        }
        b.append(line).append('\n');
    }
}
