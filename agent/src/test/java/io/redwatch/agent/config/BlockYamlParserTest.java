package io.redwatch.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The agent's config reader gives what SnakeYAML gives for every form agent.yaml is written in. */
class BlockYamlParserTest {
    private static final Path FILE = Path.of("/etc/redwatch/agent.yaml");

    private static Object ours(String text) {
        return new BlockYamlParser().parse(text, FILE);
    }

    private static Object snake(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    @Test
    void theShippedExampleReadsAsSnakeYamlReadsIt() throws IOException {
        String shipped = Files.readString(Path.of("..", "deploy", "config", "agent.yaml"));

        assertEquals(snake(shipped), ours(shipped));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // lists of mappings, indented or at the key's own indentation, comments everywhere
                "agent_id: web-1   # a comment\nredis:\n  - url: redis://127.0.0.1:6379\n    name: a\n"
                        + "  # between items\n  -   url: redis://127.0.0.1:6380\n      log_file: /var/log/r.log\n",
                "redis:\n- url: redis://h:1\n  name: x\n- url: redis://h:2\ninterval: 10s\n",
                // quoting: '#' and ': ' inside quotes are text; escapes; '' in single quotes; empty strings
                "a: \"x # not a comment\"\nb: 'it''s: fine' # comment\nc: \"tab\\there \\u00e9 \\\"q\\\"\"\nd: \"\"\ne: ''\n",
                "\"quoted key\": 1\n'other key': two\n",
                // plain scalars with colons, apostrophes and hashes that are not comments
                "url: redis://127.0.0.1:6379/0\nnote: it's fine\npath: /a#b\nempty:\nnull1: ~\nnull2: null\n",
                // YAML 1.1 booleans and integers, as SnakeYAML resolves them
                "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: 42\nh: -7\ni: +3\nj: 0\nk: 4294967296\n",
                "x: 10s\ny: 256MB\n",
                // a tab before a comment, trailing tabs
                "interval: 10s\t# every ten seconds\nname: web-1\t\n",
                // flow lists and mappings of scalars on one line
                "to: [a@example.org, \"b@example.org\", 'c d']\nempty: []\nnone: {}\nm: {host: 127.0.0.1, port: 25, tls: yes}\n",
                "trailing: [a, b,]\n",
                "m: {to: \"a, b\", 'x, y': 'c,d'}\n",
                // nested mappings, a document marker, an end marker, CRLF line ends
                "---\ncollector:\n  address: c:7400\n  tls:\n    enabled: true\n    ca_file: ca.crt\n...\n# a comment\n",
                "collector:\r\n  address: c:7400\r\n  token_file: \"\"\r\n",
                // lists of scalars, a list item that is a list, an empty item
                "l:\n  - one\n  - 'two'\n  - 3\n  -\n  - - inner\n    - more\n",
                // the whole file indented
                "  a: 1\n  b:\n    c: 2\n",
                "",
                "# only a comment\n",
            })
    void readsAsSnakeYamlDoes(String text) {
        assertEquals(snake(text), ours(text));
    }

    @Test
    void numbersOtherThanPlainDecimalsStayTheTextWritten() {
        // SnakeYAML reads 007 as octal 7, 1_000 as 1000 and 1.5 as a Double; the agent's keys take text,
        // whole numbers or durations, so it keeps what was written and the typed getter judges it
        assertEquals(
                Map.of("w", "007", "v", "1_000", "z", "1.5", "h", "0x1F"), ours("w: 007\nv: 1_000\nz: 1.5\nh: 0x1F\n"));
    }

    @Test
    void aKeyGivenTwiceIsRefusedNamingTheKeyAndItsLine() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ours("interval: 10s\nredis:\n  - url: redis://127.0.0.1:6379\ninterval: 1h\n"));

        assertEquals(
                FILE + ": key 'interval' is given twice (line 4); keep one of the two, as only one can count",
                e.getMessage());
        assertThrows(ConfigException.class, () -> ours("redis:\n  - url: a\n    url: b\n"));
        assertThrows(ConfigException.class, () -> ours("m: {a: 1, a: 2}\n"));
    }

    @Test
    void whatItDoesNotReadIsRefusedWithItsLineNeverGuessed() {
        Map<String, String> refused = Map.of(
                "a: &anchor 1\nb: *anchor\n", "line 1: anchors (&), aliases (*) and tags (!) are not supported",
                "a: !!str 1\n", "line 1: anchors (&), aliases (*) and tags (!)",
                "key: |\n  line one\n  line two\n", "line 1: multi-line values (| and >) are not supported",
                "a: 1\n---\nb: 2\n", "line 2: a second YAML document",
                "a: 1\n...\nb: 2\n", "line 3: text after the document's end",
                "a: \"not closed\nb: 1\n", "line 1: the quote \" is not closed",
                "m: [a, [b]]\n", "line 1: nested [ ] or { } are not supported");
        refused.forEach((text, expected) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> ours(text), text);
            assertTrue(e.getMessage().startsWith(FILE + ", " + expected), e.getMessage());
        });
    }

    @Test
    void brokenYamlIsNamedAsSuchWithItsLine() {
        Map<String, String> broken = Map.of(
                "redis:\n  - url: [unclosed\n", "line 2: a list in [ ] must close on the same line",
                "a: 1\n\tb: 2\n", "line 2: a tab in the indentation",
                "a: 1\n   b: 2\n", "line 2: unexpected indentation",
                "a:\n  b: 1\n c: 2\n", "line 3: unexpected indentation",
                "just words\n", "line 1: expected 'key: value'",
                "a: \"x\" y\n", "line 1: text after the closing quote",
                "a: \"bad \\q escape\"\n", "line 1: unknown escape '\\q'",
                "key:\tvalue\n", "line 1: a tab after ':'");
        broken.forEach((text, expected) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> ours(text), text);
            assertTrue(e.getMessage().startsWith(FILE + " is not valid YAML, " + expected), e.getMessage());
        });
    }

    @Test
    void aConfigLineOfAnyLengthOrBytesNeverThrowsAnythingButAConfigError() {
        // a config copied through a terminal or an editor can hold anything; the agent must say where
        String[] odd = {
            "\u0000\u0001: \uFFFF", "a: \"\\", "a: '", "- ", ":", ": x", "a: [", "a: {b", "\"", "[", "a: \"\\u12\""
        };
        for (String text : odd) {
            try {
                ours(text);
            } catch (ConfigException expected) {
                assertTrue(expected.getMessage().startsWith(FILE.toString()), expected.getMessage());
            }
        }
        char[] huge = new char[1 << 20];
        Arrays.fill(huge, 'x');
        assertEquals(Map.of("k", new String(huge)), ours("k: " + new String(huge)));
        assertEquals(List.of(), ((Map<?, ?>) ours("l: []")).get("l"));
    }
}
