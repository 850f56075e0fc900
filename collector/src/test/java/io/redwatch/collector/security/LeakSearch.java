package io.redwatch.collector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.testing.FreshDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The places a secret could leak to besides the logs, as text to search: a snapshot, and the whole database. */
final class LeakSearch {
    private LeakSearch() {}

    /** {@code redwatch-agent snapshot --json} of a password-protected Redis, as a process: stdout and stderr. */
    static String snapshotJson(int redisPort, Path passwordFile) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.redwatch.agent.AgentMain",
                        "snapshot",
                        "--redis",
                        "redis://127.0.0.1:" + redisPort,
                        "--password-file",
                        passwordFile.toString(),
                        "--json")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Every row of every table, as text (what pg_dump would print). */
    static String everyRowAsText(FreshDatabase db) throws SQLException {
        StringBuilder all = new StringBuilder();
        try (Connection c = db.connect()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT quote_ident(table_name) FROM information_schema.tables"
                            + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            assertTrue(tables.contains("agent_tokens"), tables.toString());
            for (String t : tables) {
                // the names come from the catalogue, quoted by PostgreSQL itself
                try (ResultSet rs = c.createStatement().executeQuery("SELECT t::text FROM " + t + " t")) {
                    while (rs.next()) all.append(rs.getString(1)).append('\n');
                }
            }
        }
        return all.toString();
    }
}
