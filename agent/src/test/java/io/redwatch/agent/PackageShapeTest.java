package io.redwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.redwatch.agent.testing.PackageGraph;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the agent's packages a hierarchy, read from the compiled classes: the root package wires
 * everything and nothing depends on it; what gathers facts (sampling, tailing, osfacts) knows
 * nothing of how they are sent; the spool knows nothing of the shipper that drains it.
 */
class PackageShapeTest {
    private static PackageGraph graph;

    @BeforeAll
    static void read() {
        graph = PackageGraph.ofClassesBeside(AgentMain.class, "io.redwatch.agent");
        // Guards the guard: if jdeps output stopped parsing, every check below would pass on nothing.
        assertFalse(graph.uses("shipping", "spool").isEmpty(), "no edges read from jdeps: " + graph.packages());
    }

    @Test
    void noPackageCycles() {
        assertEquals(
                List.of(),
                graph.cycles(),
                "package cycles in the agent: move the class (or the interface it implements) so that uses point one way");
    }

    @Test
    void onlyTheRootWiresThePartsTogether() {
        assertEquals(List.of(), graph.uses("*", ""));
    }

    @Test
    void theSpoolDoesNotKnowWhoDrainsIt() {
        assertEquals(List.of(), graph.uses("spool.*", "shipping.*", "netty.*", "sampling.*", "tailing.*", "osfacts.*"));
    }

    @Test
    void gatheringFactsIsApartFromSendingThem() {
        assertEquals(List.of(), graph.uses("sampling.*", "shipping.*", "spool.*", "netty.*"));
        assertEquals(List.of(), graph.uses("tailing.*", "shipping.*", "spool.*", "netty.*"));
        assertEquals(List.of(), graph.uses("osfacts.*", "shipping.*", "spool.*", "netty.*"));
        assertEquals(List.of(), graph.uses("shipping.*", "sampling.*", "tailing.*", "osfacts.*"));
    }
}
