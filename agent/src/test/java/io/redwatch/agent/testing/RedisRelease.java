package io.redwatch.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The real redis-server releases the tests run: Debian's 7.0 from PATH, and two older ones that
 * Maven Central ships inside embedded-redis jars (test dependencies of the modules that use them):
 * 2.8.19, the seeds' own version ({@code it.ozimov:embedded-redis:0.7.3}), and 6.2
 * ({@code com.github.codemonstur:embedded-redis:1.4.3}; its entry is named 6.2.6 but the binary
 * reports 6.2.11). A jar's binary is copied out of the class path once, into
 * {@code target/redis-binaries/} of the running module, with exec permission.
 */
public enum RedisRelease {
    V2_8("2.8", "redis-server-2.8.19"),
    V6_2("6.2", "redis-server-6.2.6-v5-linux-amd64"),
    V7_0("7.0", null);

    private final String series;
    private final String jarEntry;

    RedisRelease(String series, String jarEntry) {
        this.series = series;
        this.jarEntry = jarEntry;
    }

    /** "2.8", "6.2", "7.0": what INFO's redis_version starts with. */
    public String series() {
        return series;
    }

    /** Before 3.2.9 (and so before replica wording, protected-mode, errorstats, REPLICAOF). */
    public boolean old() {
        return this == V2_8;
    }

    /** INFO has an errorstats section (6.2 and later). */
    public boolean hasErrorstats() {
        return this != V2_8;
    }

    /** The binary to run: for 7.0 {@code redis-server} from PATH, or what REDIS_SERVER names. */
    public String binary() {
        if (jarEntry == null) return System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        return extracted().toString();
    }

    private synchronized Path extracted() {
        Path dir = Path.of("target", "redis-binaries").toAbsolutePath();
        Path target = dir.resolve(jarEntry);
        if (Files.isExecutable(target)) return target;
        try (InputStream in = RedisRelease.class.getClassLoader().getResourceAsStream(jarEntry)) {
            if (in == null) {
                throw new IllegalStateException(
                        "redis-server " + series + " (" + jarEntry + ") is not on the test class path;"
                                + " add the embedded-redis jar that ships it as a test dependency of this module");
            }
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, jarEntry, ".part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            if (!partial.toFile().setExecutable(true)) throw new IOException("cannot make " + partial + " executable");
            // Atomic, so parallel test JVMs never run a half-written binary.
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + jarEntry + " into " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "redis " + series;
    }

    /** {@code 2.8}, {@code 6.2} or {@code 7.0}. */
    public static RedisRelease of(String series) {
        for (RedisRelease r : values()) {
            if (r.series.equals(series.trim().toLowerCase(Locale.ROOT))) return r;
        }
        throw new IllegalArgumentException("no redis-server " + series + " for tests; there are 2.8, 6.2 and 7.0");
    }
}
