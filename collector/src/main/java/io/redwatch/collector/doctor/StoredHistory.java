package io.redwatch.collector.doctor;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.collector.storage.RecentRecordsReader;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.InstanceRef;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * One instance's history as PostgreSQL holds it for a past moment: the records of the window that
 * ends at {@code at}, read through {@link RecentRecordsReader} (the reader the live collector fills its
 * windows with), then cut at {@code at}, since that reader reads up to the present.
 *
 * <p>The CONFIG snapshot is the newest one taken at or before {@code at} (settings changed while
 * fixing the incident must not judge it); host facts newer than {@code at} are left out, so the rules
 * say what they could not know rather than judge the past by today's memory.
 */
final class StoredHistory {
    /** Every stored log line of a window is read: a post-mortem wants all of them. */
    private static final int LOGS_PER_KIND = 100_000;

    private static final String CONFIG_AT = "SELECT ts, config, unavailable FROM config_snapshots"
            + " WHERE instance = ? AND ts <= ? ORDER BY ts DESC LIMIT 1";

    private StoredHistory() {}

    static InstanceView at(DataSource db, String instance, long atMs, Duration window, ZoneId zone) {
        String host = hostOf(db, instance);
        long fromMs = atMs - window.toMillis();
        // Full rate from the window's start: a post-mortem reads every sample, line and PING of it.
        RecentRecords r = new RecentRecordsReader(db)
                .load(
                        instance,
                        host,
                        new RecentRecordsReader.Bounds(
                                fromMs, fromMs, LOGS_PER_KIND, LOGS_PER_KIND, LOGS_PER_KIND, LOGS_PER_KIND));
        InstanceView.Builder b =
                InstanceView.builder(instance, host).zone(zone).window(window).maxLogEvents(LOGS_PER_KIND);
        r.infos().stream().filter(i -> i.tsMs() <= atMs).forEach(b::info);
        r.pings().stream().filter(p -> p.getTsMs() <= atMs).forEach(b::ping);
        r.processes().stream().filter(p -> p.getTsMs() <= atMs).forEach(b::process);
        r.logs().stream().filter(l -> l.tsMs() <= atMs).forEach(b::log);
        ConfigSnapshot config =
                r.config() != null && r.config().getTsMs() <= atMs ? r.config() : configAt(db, instance, host, atMs);
        if (config != null) b.config(config);
        if (r.host() != null && r.host().getTsMs() <= atMs) b.host(r.host());
        if (b.isEmpty()) {
            throw new DoctorInputException(
                    "the database holds nothing of " + instance + " between " + Instant.ofEpochMilli(fromMs) + " and "
                            + Instant.ofEpochMilli(atMs) + "; widen --window or move --at");
        }
        return b.build(atMs);
    }

    private static String hostOf(DataSource db, String instance) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT host FROM redwatch_instances WHERE instance = ?")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return rs.getString(1) == null ? "" : rs.getString(1);
            }
            throw new DoctorInputException("the database has no instance " + instance + "; known: " + known(c));
        } catch (SQLException e) {
            throw new DoctorInputException("cannot read the database: " + e.getMessage());
        }
    }

    private static String known(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT instance FROM redwatch_instances ORDER BY instance LIMIT 11");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) names.add(rs.getString(1));
        }
        if (names.isEmpty()) return "none";
        return names.size() > 10 ? String.join(", ", names.subList(0, 10)) + ", …" : String.join(", ", names);
    }

    private static ConfigSnapshot configAt(DataSource db, String instance, String host, long atMs) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(CONFIG_AT)) {
            ps.setString(1, instance);
            ps.setObject(2, OffsetDateTime.ofInstant(Instant.ofEpochMilli(atMs), ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                ConfigSnapshot.Builder b = ConfigSnapshot.newBuilder()
                        .setRef(InstanceRef.newBuilder().setInstance(instance).setHost(host))
                        .setTsMs(rs.getTimestamp("ts").getTime());
                for (Map.Entry<String, Object> v : new JsonObject(rs.getString("config"))) {
                    b.addValues(ConfigValue.newBuilder().setKey(v.getKey()).setValue(String.valueOf(v.getValue())));
                }
                for (Map.Entry<String, Object> v : new JsonObject(rs.getString("unavailable"))) {
                    b.addUnavailable(
                            ConfigValue.newBuilder().setKey(v.getKey()).setValue(String.valueOf(v.getValue())));
                }
                return b.build();
            }
        } catch (SQLException e) {
            throw new DoctorInputException("cannot read the CONFIG of " + instance + ": " + e.getMessage());
        }
    }
}
