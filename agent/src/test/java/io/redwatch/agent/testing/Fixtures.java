package io.redwatch.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's test fixtures (the seeds' log lines under {@code /logs}, INFO pastes under
 * {@code /info}), read from the classpath. The collector's tests reach the same files through the
 * agent's test-jar, so each fixture has one copy and cannot drift between the two sides.
 */
public final class Fixtures {
    private Fixtures() {}

    /** The fixture at {@code path} (e.g. {@code /logs/seed-000.log}) as UTF-8 text. */
    public static String text(String path) {
        try (InputStream in = open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test fixture " + path, e);
        }
    }

    /**
     * The fixture copied byte-exact into {@code dir} under its own name, for a command that takes a
     * file: inside a jar the fixture has no path of its own.
     */
    public static Path file(String path, Path dir) {
        Path copy = dir.resolve(Path.of(path).getFileName().toString());
        try (InputStream in = open(path)) {
            Files.copy(in, copy);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy test fixture " + path + " to " + dir, e);
        }
    }

    private static InputStream open(String path) {
        InputStream in = Fixtures.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("no test fixture " + path
                    + " on the classpath (the agent's src/test/resources" + " or its test-jar)");
        }
        return in;
    }
}
