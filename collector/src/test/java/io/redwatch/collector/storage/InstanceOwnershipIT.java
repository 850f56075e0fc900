package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.collector.storage.InstanceOwnership.Kind;
import io.redwatch.collector.storage.InstanceOwnership.Name;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who owns an instance, against a real PostgreSQL: a fleet's steady batches cost no query, and an
 * operator's move reaches the cache through one read of the changes, for both agents.
 */
class InstanceOwnershipIT {
    private static TestDatabase db;

    @BeforeAll
    static void open() {
        db = TestDatabase.create(InstanceOwnershipIT.class);
    }

    @AfterAll
    static void drop() throws SQLException {
        db.close();
    }

    @Test
    void theFirstAgentBindsANameAndCachedNamesCostNoQuery() {
        AtomicInteger connections = new AtomicInteger();
        InstanceOwnership owners = new InstanceOwnership(counting(db.dataSource, connections));
        Name instance = new Name(Kind.INSTANCE, "10.8.0.1:6379");
        Name host = new Name(Kind.HOST, "cache-01");

        assertEquals(Map.of(), owners.foreignOwners("agent-a", List.of(instance, host)));
        assertEquals(1, connections.get(), "both names claimed in one round");
        for (int i = 0; i < 100; i++) {
            assertEquals(Map.of(), owners.foreignOwners("agent-a", List.of(instance, host)));
        }
        assertEquals(Map.of(instance, "agent-a"), owners.foreignOwners("agent-b", List.of(instance)));
        assertEquals(1, connections.get(), "every later batch answered from the cache");
    }

    @Test
    void aMoveReachesBothAgentsAtTheNextReadOfChanges() throws SQLException {
        InstanceOwnership owners = new InstanceOwnership(db.dataSource);
        Name instance = new Name(Kind.INSTANCE, "10.8.0.2:6379");
        owners.readChanges(); // the collector's first poll, at start-up
        assertEquals(Map.of(), owners.foreignOwners("agent-old", List.of(instance)));
        assertEquals(Map.of(instance, "agent-old"), owners.foreignOwners("agent-new", List.of(instance)));

        try (Connection c = db.dataSource.getConnection()) {
            assertEquals("agent-old", InstanceOwnership.move(c, Kind.INSTANCE, instance.name(), "agent-new"));
        }
        assertEquals(1, owners.readChanges(), "the moved binding is corrected in the cache");
        assertEquals(Map.of(instance, "agent-new"), owners.foreignOwners("agent-old", List.of(instance)));
        assertEquals(Map.of(), owners.foreignOwners("agent-new", List.of(instance)));
        assertEquals(0, owners.readChanges(), "read again, nothing more changed");
    }

    @Test
    void aMoveJustBeforeTheFirstReadOfChangesIsSeenToo() throws SQLException {
        InstanceOwnership owners = new InstanceOwnership(db.dataSource);
        Name instance = new Name(Kind.INSTANCE, "10.8.0.3:6379");
        assertEquals(Map.of(), owners.foreignOwners("agent-old", List.of(instance)));
        try (Connection c = db.dataSource.getConnection()) {
            InstanceOwnership.move(c, Kind.INSTANCE, instance.name(), "agent-new");
        }
        assertEquals(1, owners.readChanges());
        assertEquals(Map.of(instance, "agent-new"), owners.foreignOwners("agent-old", List.of(instance)));
    }

    /** The data source, counting the connections taken from it (each is at least one query). */
    private static DataSource counting(DataSource real, AtomicInteger connections) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) connections.incrementAndGet();
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
