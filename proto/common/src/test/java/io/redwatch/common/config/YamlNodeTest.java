package io.redwatch.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed getters and their errors, whichever parser read the file (each has its own test). */
class YamlNodeTest {
    @TempDir
    Path tmp;

    /** A file whose text does not matter: the "parser" hands back {@code root}. */
    private YamlNode load(Object root) throws IOException {
        Path f = Files.writeString(tmp.resolve("some.yaml"), "");
        return YamlNode.load(f, (text, file) -> root);
    }

    @Test
    void typedGettersNameTheFullKeyPath() throws IOException {
        YamlNode root = load(Map.of("redis", List.of(Map.of("url", "redis://x", "command_timeout", "soon"))));
        YamlNode first = root.children("redis").get(0);

        ConfigException e =
                assertThrows(ConfigException.class, () -> first.duration("command_timeout", Duration.ofSeconds(1)));

        assertEquals(
                "redis[0].command_timeout: 'soon' is not a duration; write a whole number and a unit"
                        + " (ms, s, m, h or d), e.g. 500ms, 10s, 1m or 2h",
                e.getMessage());
    }

    @Test
    void anUnknownKeyIsRefusedListingTheKnownOnes() throws IOException {
        YamlNode root = load(Map.of("intervall", "10s"));

        ConfigException e = assertThrows(ConfigException.class, () -> root.allowOnly(Set.of("interval", "redis")));

        assertEquals("unknown key 'intervall'; known keys here: interval, redis", e.getMessage());
    }

    @Test
    void theTopLevelMustBeAMappingAndAnEmptyFileIsOne() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load(List.of("a")));

        assertEquals(tmp.resolve("some.yaml") + ": the top level must be a mapping of keys", e.getMessage());
        assertEquals("d", load(null).string("k", "d"));
    }

    @Test
    void aMissingFileIsNamedWithWhatToCheck() {
        Path missing = tmp.resolve("nope.yaml");

        ConfigException e = assertThrows(ConfigException.class, () -> YamlNode.load(missing, (t, f) -> null));

        assertEquals(
                "cannot read config file " + missing + ": no such file (check the path given to --config)",
                e.getMessage());
    }
}
