package io.redwatch.collector.alerting;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code silences} table: create, expire, list. */
public final class SilenceStore {
    private static final String COLUMNS = "id, rule, instance, host, created_at, expires_at, comment";
    private final DataSource db;

    public SilenceStore(DataSource db) {
        this.db = db;
    }

    /** Creates a silence; blank fields match anything, but at least one must be given. */
    public Silence create(String rule, String instance, String host, long expiresAtMs, String comment, long nowMs) {
        String r = blankToNull(rule);
        String i = blankToNull(instance);
        String h = blankToNull(host);
        if (r == null && i == null && h == null) {
            throw new IllegalArgumentException("a silence needs at least one of rule, instance or host");
        }
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO silences (rule, instance, host, created_at,"
                        + " expires_at, comment) VALUES (?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
            ps.setString(1, r);
            ps.setString(2, i);
            ps.setString(3, h);
            ps.setObject(4, Timestamps.ts(nowMs));
            ps.setObject(5, Timestamps.ts(expiresAtMs));
            ps.setString(6, comment == null ? "" : comment);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        } catch (SQLException e) {
            throw new AlertingException("cannot create silence: " + e.getMessage(), e);
        }
    }

    /** Ends a silence now; empty when there is no silence with that id. */
    public Optional<Silence> expire(long id, long nowMs) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE silences SET expires_at = least(expires_at, ?)"
                        + " WHERE id = ? RETURNING " + COLUMNS)) {
            ps.setObject(1, Timestamps.ts(nowMs));
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new AlertingException("cannot expire silence " + id + ": " + e.getMessage(), e);
        }
    }

    /** Silences in force at {@code nowMs}; with {@code includeExpired}, all of them, newest first. */
    public List<Silence> list(long nowMs, boolean includeExpired) {
        String sql = "SELECT " + COLUMNS + " FROM silences" + (includeExpired ? "" : " WHERE expires_at > ?")
                + " ORDER BY id DESC";
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            if (!includeExpired) ps.setObject(1, Timestamps.ts(nowMs));
            return readAll(ps);
        } catch (SQLException e) {
            throw new AlertingException("cannot read silences: " + e.getMessage(), e);
        }
    }

    static List<Silence> active(Connection c, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM silences WHERE expires_at > ?")) {
            ps.setObject(1, Timestamps.ts(nowMs));
            return readAll(ps);
        }
    }

    private static List<Silence> readAll(PreparedStatement ps) throws SQLException {
        List<Silence> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(read(rs));
        }
        return out;
    }

    private static Silence read(ResultSet rs) throws SQLException {
        return new Silence(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Timestamps.millis(rs.getObject(5, OffsetDateTime.class)),
                Timestamps.millis(rs.getObject(6, OffsetDateTime.class)),
                rs.getString(7));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
