package io.redwatch.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {
    @TempDir
    Path tmp;

    @Test
    void aSecretNeverPrints() {
        Secret s = Secret.of("hunter2");

        assertEquals("****", s.toString());
        assertEquals("(none)", Secret.of("").toString());
        assertFalse(Secret.none().isPresent());
        assertEquals("hunter2", s.reveal());
    }

    @Test
    void aFileLosesOneTrailingNewlineOnly() throws IOException {
        Path f = Files.writeString(tmp.resolve("pw"), "p@ss \r\n");

        assertEquals("p@ss ", Secret.fromFile(f, "password_file").reveal());
    }

    @Test
    void anUnreadableFileIsNamedWithItsKey() {
        Path missing = tmp.resolve("nope");

        ConfigException e =
                assertThrows(ConfigException.class, () -> Secret.fromFile(missing, "database.password_file"));

        assertTrue(
                e.getMessage().startsWith("database.password_file: cannot read secret file " + missing),
                e.getMessage());
    }
}
