package io.redwatch.collector.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.AgentStats;
import io.redwatch.proto.v1.InstanceSampled;
import org.junit.jupiter.api.Test;

/** The text format's rules that a scraper would choke on: escaping, cumulative buckets, one family once. */
class ExpositionTest {

    @Test
    void labelValuesFromTheNetworkAreEscaped() {
        String text = new Exposition()
                .family("m", "gauge", "h")
                .sample("m", 1, "agent_id", "a\"b\\c\nd")
                .toString();
        assertEquals("# HELP m h\n# TYPE m gauge\nm{agent_id=\"a\\\"b\\\\c\\nd\"} 1\n", text);
    }

    @Test
    void histogramBucketsAreCumulativeAndEndWithInf() {
        Histogram h = new Histogram("x_seconds", "x", new double[] {0.1, 1});
        h.observe(0.05);
        h.observe(0.5);
        h.observe(5);
        Exposition e = new Exposition();
        h.writeTo(e);
        String text = e.toString();
        assertTrue(text.contains("x_seconds_bucket{le=\"0.1\"} 1\n"), text);
        assertTrue(text.contains("x_seconds_bucket{le=\"1\"} 2\n"), text);
        assertTrue(text.contains("x_seconds_bucket{le=\"+Inf\"} 3\n"), text);
        assertTrue(text.contains("x_seconds_sum 5.55\n"), text);
        assertTrue(text.contains("x_seconds_count 3\n"), text);
    }

    @Test
    void aResentOlderBatchDoesNotOverwriteANewerReport() {
        AgentReports reports = new AgentReports();
        long now = System.currentTimeMillis();
        reports.reported(
                "a1",
                10,
                AgentStats.newBuilder()
                        .setSpoolBatches(7)
                        .addInstances(InstanceSampled.newBuilder()
                                .setInstance("h:6379")
                                .setLastSuccessMs(2000))
                        .build(),
                now);
        reports.reported("a1", 9, AgentStats.newBuilder().setSpoolBatches(99).build(), now);
        Exposition e = new Exposition();
        reports.writeTo(e, now);
        String text = e.toString();
        assertTrue(text.contains("redwatch_agent_spool_batches{agent_id=\"a1\"} 7\n"), text);
        assertTrue(
                text.contains("redwatch_agent_last_sample_timestamp_seconds{agent_id=\"a1\",instance=\"h:6379\"} 2\n"),
                text);
    }

    @Test
    void agentsGoneForADayAreForgotten() {
        AgentReports reports = new AgentReports();
        long now = System.currentTimeMillis();
        reports.reported("old", 1, AgentStats.getDefaultInstance(), now - AgentReports.FORGET_AFTER_MS - 1);
        reports.reported("new", 1, AgentStats.getDefaultInstance(), now);
        Exposition e = new Exposition();
        reports.writeTo(e, now);
        assertTrue(!e.toString().contains("\"old\"") && e.toString().contains("\"new\""), e.toString());
    }
}
