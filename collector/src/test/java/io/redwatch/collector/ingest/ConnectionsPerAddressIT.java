package io.redwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.WireClient;
import io.redwatch.proto.v1.CollectorMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * collector.yaml's connections_per_address reaches the running collector: behind a TCP load balancer
 * that hides the agents' addresses, it is what decides how many agents one collector takes.
 */
class ConnectionsPerAddressIT {
    @TempDir
    Path dir;

    @Test
    void theConfiguredBoundDecidesWhenAnAddressIsRefused() throws Exception {
        try (FreshDatabase db = FreshDatabase.create("conn_per_address_it")) {
            Path yaml = dir.resolve("collector.yaml");
            Files.writeString(yaml, "connections_per_address: 3\n");
            Collector collector = new Collector(CollectorConfig.load(
                    yaml, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null)));
            collector.start();
            List<WireClient> held = new ArrayList<>();
            try {
                Status refused = null;
                int welcomed = 0;
                for (int i = 0; i < 6 && refused == null; i++) {
                    WireClient c = new WireClient(collector.grpcPort(), null, null);
                    held.add(c);
                    c.hello("lb-agent-" + i, 1000);
                    CollectorMessage m = c.next();
                    if (m == null) {
                        refused = c.status();
                    } else if (m.hasWelcome()) {
                        welcomed++;
                    }
                }
                assertEquals(3, welcomed, "three agents behind one address are taken");
                assertNotNull(refused, "the fourth connection from the address is refused");
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode(), refused.toString());
                assertTrue(refused.getDescription().contains("limit 3"), refused.toString());
            } finally {
                held.forEach(WireClient::close);
                collector.close();
            }
        }
    }
}
