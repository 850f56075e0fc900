package io.redwatch.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsParserTest {
    private static final CommandSpec SHOW = new CommandSpec(
            "tool show",
            List.of("Show things."),
            List.of(OptionSpec.value("--file", "file", "a file to read"), OptionSpec.flag("--json", "print JSON")),
            List.of());
    private static final CommandSpec ROOT = new CommandSpec("tool", List.of("A tool."), List.of(), List.of(SHOW));

    private static ParsedArgs parse(String... args) {
        return ArgsParser.parse(ROOT, List.of(args));
    }

    @Test
    void valuesBySpaceOrEqualsAndFlags() {
        ParsedArgs a = parse("show", "--file", "a.txt", "--json");
        assertSame(SHOW, a.command());
        assertEquals(Path.of("a.txt"), a.path("--file"));
        assertTrue(a.flag("--json"));

        ParsedArgs b = parse("show", "--file=-", "--json=false");
        assertEquals("-", b.value("--file"));
        assertFalse(b.flag("--json"));
        assertNull(parse("show").value("--file"));
    }

    @Test
    void helpAndVersionAnywhere() {
        assertTrue(parse("show", "-h").help());
        assertTrue(parse("--help", "show").help());
        assertSame(SHOW, parse("--help", "show").command());
        assertTrue(parse("show", "-V").version());
        assertTrue(parse("--version").version());
    }

    @Test
    void mistakesNameTheArgumentAndTheCommandWhoseHelpToShow() {
        UsageException unknown = assertThrows(UsageException.class, () -> parse("show", "--bogus=1"));
        assertEquals("Unknown option: '--bogus=1'", unknown.getMessage());
        assertSame(SHOW, unknown.command());
        assertEquals(
                "Missing required parameter for option '--file' (<file>)",
                assertThrows(UsageException.class, () -> parse("show", "--file"))
                        .getMessage());
        assertEquals(
                "Missing required parameter for option '--file' (<file>)",
                assertThrows(UsageException.class, () -> parse("show", "--file", "--json"))
                        .getMessage());
        assertEquals(
                "Unmatched argument at index 0: 'hide'",
                assertThrows(UsageException.class, () -> parse("hide")).getMessage());
        assertEquals(
                "Unmatched argument at index 2: 'extra'",
                assertThrows(UsageException.class, () -> parse("show", "--json", "extra"))
                        .getMessage());
        assertEquals(
                "option '--file' should be specified only once",
                assertThrows(UsageException.class, () -> parse("show", "--file", "a", "--file", "b"))
                        .getMessage());
        assertSame(
                ROOT, assertThrows(UsageException.class, () -> parse("--json")).command());
    }

    @Test
    void helpListsUsageDescriptionOptionsAndCommandsWithin80Columns() {
        String root = HelpText.render(ROOT);
        assertTrue(root.startsWith("Usage: tool [-hV] [COMMAND]\nA tool.\n"), root);
        assertTrue(root.contains("Commands:\n  show      Show things.\n"), root);

        String show = HelpText.render(SHOW);
        assertTrue(show.startsWith("Usage: tool show [-hV] [--file=<file>] [--json]\nShow things.\n"), show);
        assertTrue(show.contains("      --file=<file>          a file to read\n"), show);
        assertTrue(show.contains("  -h, --help                 Show this help message and exit.\n"), show);
        String longDescription = HelpText.render(new CommandSpec(
                "tool long",
                List.of("x"),
                List.of(OptionSpec.value(
                        "--a-rather-long-option", "value", "word ".repeat(40).strip())),
                List.of()));
        for (String line : longDescription.split("\n")) assertTrue(line.length() <= 80, line);
        assertTrue(
                longDescription.contains(
                        "      --a-rather-long-option=<value>\n                             word word"),
                longDescription);
    }
}
