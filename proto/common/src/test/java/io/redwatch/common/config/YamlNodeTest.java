package io.redwatch.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlNodeTest {
    @TempDir
    Path tmp;

    private Path write(String text) throws IOException {
        return Files.writeString(tmp.resolve("some.yaml"), text);
    }

    @Test
    void aKeyGivenTwiceIsRefusedNamingTheKeyAndItsLine() throws IOException {
        // SnakeYAML's default keeps the last value silently: interval would be 1h, not the 10s read first.
        Path f = write("interval: 10s\nredis:\n  - url: redis://127.0.0.1:6379\ninterval: 1h\n");

        ConfigException e = assertThrows(ConfigException.class, () -> YamlNode.load(f));

        assertEquals(
                f + ": key 'interval' is given twice (line 4); keep one of the two, as only one can count",
                e.getMessage());
    }

    @Test
    void aKeyGivenTwiceInANestedMappingIsRefusedToo() throws IOException {
        Path f = write(
                "database:\n  url: jdbc:postgresql://a/redwatch\n  user: redwatch\n  url: jdbc:postgresql://b/redwatch\n");

        ConfigException e = assertThrows(ConfigException.class, () -> YamlNode.load(f));

        assertEquals(
                f + ": key 'url' is given twice (line 4); keep one of the two, as only one can count", e.getMessage());
    }

    @Test
    void typedGettersNameTheFullKeyPath() throws IOException {
        YamlNode root = YamlNode.load(write("redis:\n  - url: redis://x\n    command_timeout: soon\n"));
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
        YamlNode root = YamlNode.load(write("intervall: 10s\n"));

        ConfigException e = assertThrows(ConfigException.class, () -> root.allowOnly(Set.of("interval", "redis")));

        assertEquals("unknown key 'intervall'; known keys here: interval, redis", e.getMessage());
    }
}
