package io.redwatch.collector.config;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.YamlParser;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;

/** collector.yaml read with SnakeYAML's safe loader (no object construction from tags). */
public final class SnakeYamlParser implements YamlParser {
    @Override
    public Object parse(String text, Path file) {
        LoaderOptions options = new LoaderOptions();
        // SnakeYAML keeps the last of two equal keys silently; a config edited twice must say so instead.
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (DuplicateKeyException e) {
            throw new ConfigException(duplicate(file, e));
        } catch (YAMLException e) {
            throw new ConfigException(file + " is not valid YAML: " + e.getMessage());
        }
    }

    /** SnakeYAML's own text spans four lines and quotes the mapping's first line, not the repeated key's. */
    private static String duplicate(Path file, DuplicateKeyException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String k = problem.startsWith("found duplicate key ")
                ? problem.substring("found duplicate key ".length())
                : problem;
        Mark at = e.getProblemMark();
        String where = at == null ? "" : " (line " + (at.getLine() + 1) + ")";
        return file + ": key '" + k + "' is given twice" + where + "; keep one of the two, as only one can count";
    }
}
