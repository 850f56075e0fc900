package io.redwatch.collector.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags of a systemd unit in deploy/systemd ({@code Environment="JAVA_OPTS=…"}), read from the
 * unit file itself so that a test runs what production runs, not a copy that drifts from it. The
 * error-file path points into the test's own directory instead of /var/log.
 */
final class UnitFlags {
    private UnitFlags() {}

    static List<String> of(String unit, Path errorFileDir) {
        Path file = ModuleDir.path().resolve("../deploy/systemd").resolve(unit).normalize();
        try {
            for (String line : Files.readAllLines(file)) {
                String prefix = "Environment=\"JAVA_OPTS=";
                if (!line.startsWith(prefix)) continue;
                List<String> flags = new ArrayList<>();
                for (String flag : line.substring(prefix.length(), line.length() - 1)
                        .replace("%%", "%")
                        .split(" +")) {
                    flags.add(
                            flag.startsWith("-XX:ErrorFile=")
                                    ? "-XX:ErrorFile=" + errorFileDir.resolve("hs_err_%p.log")
                                    : flag);
                }
                return flags;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError(file + " sets no JAVA_OPTS");
    }
}
