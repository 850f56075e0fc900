package io.redwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.testing.FreshDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** `redwatch-collector migrate` as an operator runs it: creates the database, applies the schema, twice is fine. */
class MigrateCommandIT {
    @Test
    void migrateCreatesTheDatabaseAndIsIdempotent() throws Exception {
        FreshDatabase db = FreshDatabase.reserve("migrate_it");
        try {
            for (int run = 0; run < 2; run++) {
                StringWriter out = new StringWriter();
                var cl = CollectorMain.commandLine();
                cl.setOut(new PrintWriter(out));
                int exit = cl.execute("migrate", "--db-url", db.url(), "--db-user", FreshDatabase.USER);

                assertEquals(0, exit, "run " + run + ": " + out);
                assertTrue(out.toString().contains("up to date"), out.toString());
            }
            try (Connection c = db.connect();
                    ResultSet r = c.createStatement().executeQuery("select count(*) from redwatch_info")) {
                assertTrue(r.next(), "the views exist");
            }
        } finally {
            db.close();
        }
    }
}
