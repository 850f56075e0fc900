package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each file of db/queries, run as shipped on fixture data stored through BatchStore. */
class QueriesIT {
    private static final Pattern PARAMETER = Pattern.compile(":'([a-z_]+)'");
    private static final String A = "10.3.0.1:6379";
    private static final String B = "10.3.0.2:6379";
    private static final Instant DAY =
            Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
    private static TestDatabase db;
    private static BatchStore store;
    private static long seq;

    @BeforeAll
    static void open() throws IOException {
        db = TestDatabase.create(QueriesIT.class);
        store = new BatchStore(db.dataSource);
        InfoText info = InfoText.resource("info-redis-7.0-b.txt");
        long t = DAY.toEpochMilli() + 3_600_000;
        String[] status = {"ok", "ok", "err", "err", "ok", "err"};
        for (int i = 0; i < status.length; i++) {
            InfoText sample = info.with("rdb_last_bgsave_status", status[i])
                    .with("used_memory", Long.toString(1_000_000 + i * 1000))
                    .with("rdb_changes_since_last_save", Integer.toString(100 * i));
            save("agent-a", Records.info(sample, A, t + i * 10_000L));
        }
        save("agent-a", Records.info(info, A, DAY.toEpochMilli() + 86_400_000L + 5_000)); // next day
        save("agent-b", Records.info(info, B, t)); // other instance
        int[] pipes = {100, 5000, 9823};
        for (int i = 0; i < pipes.length; i++) {
            save("agent-a", Records.process(A, t + i * 60_000L, pipes[i]));
        }
        save("agent-a", Records.process(B, t, 1));
        long offset = 0;
        try (InputStream in = QueriesIT.class.getResourceAsStream("/storage/seed-000-fork-enomem.log")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                save("agent-a", Records.log(A, line, 2015, offset));
                offset += line.length() + 1;
            }
        }
    }

    @AfterAll
    static void drop() throws SQLException {
        db.close();
    }

    private static void save(String agent, Record record) {
        store.store(agent, Records.batch(++seq, record));
    }

    @Test
    void memoryOverADay() throws Exception {
        List<Map<String, Object>> rows = run(
                "memory_over_a_day.sql",
                Map.of("instance", A, "day", DAY.toString().substring(0, 10)));
        assertEquals(
                List.of(1_000_000L, 1_001_000L, 1_002_000L, 1_003_000L, 1_004_000L, 1_005_000L),
                rows.stream().map(r -> r.get("used_memory")).toList());
        assertTrue(rows.stream().allMatch(r -> r.get("maxmemory").equals(0L)));
    }

    @Test
    void whenBgsaveFirstFailed() throws Exception {
        long t = DAY.toEpochMilli() + 3_600_000;
        List<Map<String, Object>> rows = run(
                "bgsave_first_failed.sql",
                Map.of(
                        "instance",
                        A,
                        "from",
                        DAY.toString(),
                        "to",
                        DAY.plus(1, ChronoUnit.DAYS).toString()));
        assertEquals(
                List.of(Instant.ofEpochMilli(t + 20_000), Instant.ofEpochMilli(t + 50_000)),
                rows.stream()
                        .map(r -> ((OffsetDateTime) r.get("failed_at")).toInstant())
                        .toList());
        assertEquals(
                Instant.ofEpochMilli(t + 10_000), ((OffsetDateTime) rows.get(0).get("last_ok_at")).toInstant());
        assertEquals(200L, rows.get(0).get("rdb_changes_since_last_save"));
    }

    @Test
    void logLinesByLevelOrPatternInAWindow() throws Exception {
        Map<String, String> window =
                Map.of("instance", A, "from", "2015-08-11 10:43:00Z", "to", "2015-08-11 10:43:20Z");
        List<Map<String, Object>> warnings = run("log_lines.sql", with(window, "level", "warning", "pattern", ""));
        assertEquals(2, warnings.size(), "two warnings before 10:43:20, the third is at 10:43:24");
        assertTrue(warnings.stream()
                .allMatch(r -> r.get("message").equals("Can't save in background: fork: Cannot allocate memory")));
        List<Map<String, Object>> saving =
                run("log_lines.sql", with(window, "level", "", "pattern", "changes in \\d+ seconds"));
        assertEquals(1, saving.size());
        assertEquals("notice", saving.get(0).get("level"));
        List<Map<String, Object>> all = run("log_lines.sql", with(window, "level", "", "pattern", ""));
        assertEquals(3, all.size());
        List<Map<String, Object>> overcommit = run(
                "log_lines.sql",
                Map.of(
                        "instance",
                        A,
                        "from",
                        "2015-01-01Z",
                        "to",
                        "2016-01-01Z",
                        "level",
                        "warning",
                        "pattern",
                        "OVERCOMMIT_MEMORY"));
        assertEquals(2, overcommit.size(), "the pattern is case-insensitive: both overcommit_memory warnings");
    }

    @Test
    void pipeFdsOverTime() throws Exception {
        List<Map<String, Object>> rows = run(
                "pipe_fds_over_time.sql",
                Map.of(
                        "instance",
                        A,
                        "from",
                        DAY.toString(),
                        "to",
                        DAY.plus(1, ChronoUnit.DAYS).toString()));
        assertEquals(
                List.of(100L, 5000L, 9823L),
                rows.stream().map(r -> r.get("fd_pipes")).toList());
        assertEquals(0, new java.math.BigDecimal("103.0").compareTo((java.math.BigDecimal)
                        rows.get(2).get("pct_of_limit")));
    }

    @Test
    void instancesWhoseAgentWentQuiet() throws Exception {
        long now = System.currentTimeMillis();
        store.registerAgent("agent-quiet", "q1", "0.1.0", 10_000);
        store.registerAgent("agent-alive", "q2", "0.1.0", 10_000);
        store.registerAgent("agent-slow", "q3", "0.1.0", 120_000);
        store.store("agent-quiet", Records.batch(1, Records.process("10.4.0.1:6379", now - 31_000, 1)));
        store.store("agent-alive", Records.batch(1, Records.process("10.4.0.2:6379", now - 5_000, 1)));
        store.store("agent-slow", Records.batch(1, Records.process("10.4.0.3:6379", now - 200_000, 1)));
        List<Object> quiet = run("quiet_agents.sql", Map.of()).stream()
                .map(r -> r.get("instance"))
                .filter(i -> ((String) i).startsWith("10.4."))
                .toList();
        assertEquals(List.of("10.4.0.1:6379"), quiet);
    }

    private static Map<String, String> with(Map<String, String> base, String k1, String v1, String k2, String v2) {
        Map<String, String> m = new LinkedHashMap<>(base);
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** Runs a query file as shipped: its :'name' parameters become bound text parameters. */
    static List<Map<String, Object>> run(String file, Map<String, String> parameters) throws Exception {
        String text;
        try (InputStream in = QueriesIT.class.getResourceAsStream("/db/queries/" + file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(text.startsWith("--"), file + " starts with its documenting comment");
        List<String> names = new ArrayList<>();
        Matcher m = PARAMETER.matcher(text.replaceAll("(?m)^--.*$", ""));
        StringBuilder sql = new StringBuilder();
        while (m.find()) {
            names.add(m.group(1));
            m.appendReplacement(sql, "?");
        }
        m.appendTail(sql);
        String statement = sql.toString().trim().replaceAll(";$", "");
        try (Connection c = db.dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < names.size(); i++) {
                String value = parameters.get(names.get(i));
                if (value == null) {
                    throw new IllegalArgumentException(file + " needs parameter " + names.get(i));
                }
                ps.setString(i + 1, value);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(
                                md.getColumnLabel(i),
                                "timestamptz".equals(md.getColumnTypeName(i))
                                        ? rs.getObject(i, OffsetDateTime.class)
                                        : rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
