package io.redwatch.collector.storage;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.testing.FreshDatabase;

/**
 * A fresh database for one storage test class, created and migrated through {@link Database#open}
 * (as the collector does) and dropped by {@link FreshDatabase}.
 */
final class TestDatabase implements AutoCloseable {
    private final FreshDatabase database;
    final String url;
    final HikariDataSource dataSource;

    private TestDatabase(FreshDatabase database) {
        this.database = database;
        this.url = database.url();
        this.dataSource = Database.open(url, FreshDatabase.USER, "");
    }

    static TestDatabase create(Class<?> testClass) {
        return new TestDatabase(FreshDatabase.reserve("rw_" + testClass.getSimpleName()));
    }

    @Override
    public void close() {
        dataSource.close();
        database.close();
    }
}
