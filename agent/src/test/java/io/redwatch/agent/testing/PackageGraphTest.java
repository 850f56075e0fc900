package io.redwatch.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The graph logic on jdeps lines written by hand, so a cycle is known to be caught and named. */
class PackageGraphTest {
    private static final String ROOT = "io.example";

    private static String edge(String from, String to) {
        return "   " + ROOT + "." + from + "    -> " + ROOT + "." + to + "    classes";
    }

    private static PackageGraph graph(String... lines) {
        return PackageGraph.parse(ROOT, List.of(lines));
    }

    @Test
    void namesEveryPackageOfACycleAndTheClassesThatMakeIt() {
        PackageGraph g = graph(
                "classes -> not found",
                edge("ingest.Service", "storage.Store"),
                edge("storage.Store", "security.Tokens"),
                edge("security.Tokens", "ingest.Metrics"),
                edge("ingest.Service", "facts.Line"),
                "   " + ROOT + ".ingest.Service -> io.other.Thing    not found");
        assertEquals(
                List.of("ingest -> storage -> security -> ingest (ingest.Service -> storage.Store;"
                        + " storage.Store -> security.Tokens; security.Tokens -> ingest.Metrics)"),
                g.cycles());
    }

    @Test
    void aHierarchyHasNoCycle() {
        PackageGraph g = graph(
                edge("Main", "ingest.Service"),
                edge("ingest.Service", "storage.Store"),
                edge("Main", "storage.Store"),
                edge("ingest.Service$Inner", "ingest.Service"));
        assertEquals(List.of(), g.cycles());
        assertEquals(new TreeSet<>(List.of("", "ingest", "storage")), g.packages());
    }

    @Test
    void aPackageAndItsSubpackageCanFormACycle() {
        PackageGraph g = graph(edge("rules.Rule", "rules.view.View"), edge("rules.view.View", "rules.Finding"));
        assertEquals(1, g.cycles().size());
        assertTrue(
                g.cycles().get(0).startsWith("rules -> rules.view -> rules "),
                g.cycles().get(0));
    }

    @Test
    void patternsMatchAPackageOrItsSubtree() {
        PackageGraph g = graph(
                edge("storage.Store", "rules.view.View"),
                edge("storage.Store", "Main"),
                edge("storage.Store", "rulesextra.X"));
        assertEquals(
                List.of("storage -> rules.view (storage.Store -> rules.view.View)"), g.uses("storage.*", "rules.*"));
        assertEquals(List.of(), g.uses("storage", "rules"));
        assertEquals(List.of("storage -> (root) (storage.Store -> Main)"), g.uses("storage", ""));
    }

    @Test
    void aToleratedEdgeIsLeftOutAndAStaleOneIsRefused() {
        PackageGraph g = graph(edge("alerting.A", "http.H"), edge("http.H", "alerting.A"));
        g.tolerate("alerting", "http");
        assertEquals(List.of(), g.cycles());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.tolerate("alerting", "http"));
        assertTrue(e.getMessage().contains("no longer uses http"), e.getMessage());
    }
}
