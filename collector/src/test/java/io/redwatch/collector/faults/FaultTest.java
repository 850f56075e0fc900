package io.redwatch.collector.faults;

import io.redwatch.collector.testing.FreshDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * What every fault test shares: a fresh database per test class, and per test a {@link Rig} of real
 * processes that is always killed afterwards, pass or fail. Test classes run one after another, so
 * one static database slot serves them all.
 */
abstract class FaultTest {
    static FreshDatabase db;
    Rig rig;

    @BeforeAll
    static void createDatabase(TestInfo test) {
        db = FreshDatabase.create(
                "faults_" + test.getTestClass().map(Class::getSimpleName).orElse("it"));
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) db.close();
        db = null;
    }

    @BeforeEach
    void startRig(TestInfo test) {
        rig = new Rig(test);
    }

    @AfterEach
    void killEverything() {
        rig.close();
    }

    /** The highest batch number stored for the agent (its row must exist). */
    static long lastStoredSeq(String agentId) throws java.sql.SQLException {
        try (java.sql.Connection c = db.connect();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM agents WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new AssertionError("agent " + agentId + " is not registered");
                return rs.getLong(1);
            }
        }
    }
}
