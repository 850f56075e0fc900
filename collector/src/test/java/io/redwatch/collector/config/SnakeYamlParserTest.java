package io.redwatch.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.common.config.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SnakeYamlParserTest {
    private static final Path FILE = Path.of("/etc/redwatch/collector.yaml");

    @Test
    void aKeyGivenTwiceIsRefusedNamingTheKeyAndItsLine() {
        // SnakeYAML's default keeps the last value silently: the port would be the one read second.
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> new SnakeYamlParser().parse("grpc_port: 7400\ndatabase:\n  url: x\ngrpc_port: 7500\n", FILE));

        assertEquals(
                FILE + ": key 'grpc_port' is given twice (line 4); keep one of the two, as only one can count",
                e.getMessage());
    }

    @Test
    void aKeyGivenTwiceInANestedMappingIsRefusedToo() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> new SnakeYamlParser()
                        .parse(
                                "database:\n  url: jdbc:postgresql://a/r\n  user: r\n  url: jdbc:postgresql://b/r\n",
                                FILE));

        assertEquals(
                FILE + ": key 'url' is given twice (line 4); keep one of the two, as only one can count",
                e.getMessage());
    }

    @Test
    void brokenYamlNamesTheFile() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> new SnakeYamlParser().parse("alerting:\n  to: [unclosed\n", FILE));

        assertTrue(e.getMessage().startsWith(FILE + " is not valid YAML"), e.getMessage());
    }
}
