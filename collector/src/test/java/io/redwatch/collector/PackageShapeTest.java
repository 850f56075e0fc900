package io.redwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.redwatch.agent.testing.PackageGraph;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the collector's packages a hierarchy, read from the compiled classes: the root package wires
 * everything and nothing depends on it; facts are parsed at the bottom; ingest stores, storage knows
 * nothing of what reads it back; diagnosis runs rules, and rules read only facts.
 */
class PackageShapeTest {
    private static PackageGraph graph;

    @BeforeAll
    static void read() {
        graph = PackageGraph.ofClassesBeside(CollectorMain.class, "io.redwatch.collector");
        // Guards the guard: if jdeps output stopped parsing, every check below would pass on nothing.
        assertFalse(graph.uses("ingest", "storage").isEmpty(), "no edges read from jdeps: " + graph.packages());
        // Left to the alerting package (out of this change): Alerting constructs the email and SMS
        // channels, which use its Channel, Notice and Delivery. Wiring the channels in the root package, or
        // giving those types a package of their own, ends it. Each call throws once its edge is gone:
        // then delete it here.
        graph.tolerate("alerting", "alerting.email");
        graph.tolerate("alerting", "alerting.sms");
    }

    @Test
    void noPackageCycles() {
        assertEquals(
                List.of(),
                graph.cycles(),
                "package cycles in the collector: move the class (or the interface it implements) so that uses point one way");
    }

    @Test
    void onlyTheRootWiresThePartsTogether() {
        assertEquals(List.of(), graph.uses("*", ""));
    }

    @Test
    void factsAreTheBottom() {
        assertEquals(List.of(), graph.uses("facts.*", "*"));
    }

    @Test
    void storageKnowsNothingOfWhatFeedsOrReadsIt() {
        assertEquals(
                List.of(),
                graph.uses(
                        "storage.*",
                        "ingest.*",
                        "rules.*",
                        "diagnosis.*",
                        "alerting.*",
                        "http.*",
                        "doctor.*",
                        "cli.*"));
    }

    @Test
    void ingestOnlyStores() {
        assertEquals(
                List.of(),
                graph.uses("ingest.*", "rules.*", "diagnosis.*", "alerting.*", "http.*", "doctor.*", "cli.*"));
        assertEquals(List.of(), graph.uses("security.*", "ingest.*", "http.*", "alerting.*", "cli.*"));
    }

    @Test
    void rulesReadOnlyFacts() {
        assertEquals(
                List.of(),
                graph.uses(
                        "rules.*",
                        "storage.*",
                        "ingest.*",
                        "diagnosis.*",
                        "alerting.*",
                        "http.*",
                        "doctor.*",
                        "cli.*",
                        "config.*",
                        "security.*",
                        "metrics.*"));
    }

    @Test
    void theViewAndTheEvidenceNeverReachBackIntoTheRules() {
        assertEquals(List.of(), graph.uses("rules.view.*", "rules", "rules.evidence.*"));
        assertEquals(List.of(), graph.uses("rules.evidence.*", "rules"));
    }

    @Test
    void alertingDependsOnNeitherHttpNorTheCommandLine() {
        assertEquals(List.of(), graph.uses("alerting.*", "http.*", "cli.*", "doctor.*"));
    }
}
