package io.redwatch.agent.osfacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a /proc or /sys file whole. {@code Files.readAllBytes} must not be used on them: it sizes
 * its first read by the file's size, which procfs reports as 0, so it reads one byte and then asks
 * for more at offset 1 — where integer sysctls such as {@code net/core/somaxconn} answer EOF. That
 * turned 4096 into "4". A stream reads in 8 KiB chunks from offset 0, as {@code cat} does.
 */
final class ProcFile {
    private ProcFile() {}

    /** ISO-8859-1 never fails to decode; these files are ASCII. */
    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
