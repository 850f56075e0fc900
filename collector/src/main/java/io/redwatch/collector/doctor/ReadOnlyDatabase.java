package io.redwatch.collector.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The collector's database, opened for reading only: a post-mortem must neither create the
 * database nor migrate its schema (unlike {@code run} and {@code migrate}), and must not hold a pool.
 */
final class ReadOnlyDatabase {
    private ReadOnlyDatabase() {}

    static <T> T read(String url, String user, Path passwordFile, Function<DataSource, T> work) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new DoctorInputException(
                    "--db-url " + url + " is not a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/redwatch)");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setReadOnly(true);
        ds.setConnectTimeout(10);
        ds.setApplicationName("redwatch-collector doctor");
        if (passwordFile != null) {
            try {
                ds.setPassword(Files.readString(passwordFile).strip());
            } catch (IOException e) {
                throw new DoctorInputException(
                        "cannot read --db-password-file " + passwordFile + ": " + e.getMessage());
            }
        }
        try {
            return work.apply(ds);
        } catch (io.redwatch.collector.storage.StorageException e) {
            throw new DoctorInputException(e.getMessage());
        }
    }
}
