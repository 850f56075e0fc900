package io.redwatch.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A password or token. It never prints: {@link #toString()} is a fixed mask, so a secret that
 * slips into a log line or an exception message shows nothing.
 */
public final class Secret {
    private static final Secret NONE = new Secret("");
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret none() {
        return NONE;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value);
    }

    /** Reads a secret from a file; one trailing newline (as editors leave it) is not part of it. */
    public static Secret fromFile(Path file, String key) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
            if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
            return of(text);
        } catch (IOException e) {
            throw new ConfigException(key + ": cannot read secret file " + file + " ("
                    + e.getClass().getSimpleName()
                    + "); check the path and that the user this service runs as may read it");
        }
    }

    public static Secret fromEnv(String variable, String key) {
        String v = System.getenv(variable);
        if (v == null) {
            throw new ConfigException(key + ": environment variable " + variable + " is not set");
        }
        return of(v);
    }

    public boolean isPresent() {
        return !value.isEmpty();
    }

    /** The clear value, for the one place that must hand it to a client library. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return isPresent() ? "****" : "(none)";
    }
}
