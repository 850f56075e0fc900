package io.redwatch.common.config;

import java.nio.file.Path;

/**
 * Turns a config file's text into maps, lists and scalars (String, Integer, Long, Boolean, or null).
 * The collector reads its rich config with SnakeYAML; the agent reads its dozen keys with a small
 * reader of its own so that it never loads SnakeYAML (issue 11). Either way {@link YamlNode} gives
 * the same typed getters and the same errors.
 */
@FunctionalInterface
public interface YamlParser {
    /**
     * The document's root, or null for an empty document.
     *
     * @throws ConfigException naming {@code file} and the line, when the text is not YAML this parser reads
     */
    Object parse(String text, Path file);
}
