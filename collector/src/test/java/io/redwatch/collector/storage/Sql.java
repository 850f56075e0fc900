package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Runs a query in tests and returns its rows as column -> value maps. */
final class Sql {
    private Sql() {}

    static List<Map<String, Object>> rows(DataSource ds, String sql, Object... args) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = md.getColumnType(i) == java.sql.Types.TIMESTAMP
                                        && "timestamptz".equals(md.getColumnTypeName(i))
                                ? rs.getObject(i, java.time.OffsetDateTime.class)
                                : rs.getObject(i);
                        row.put(md.getColumnLabel(i), v);
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }
}
