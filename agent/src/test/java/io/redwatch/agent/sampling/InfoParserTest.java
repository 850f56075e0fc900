package io.redwatch.agent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InfoParserTest {

    private static final InstanceRef REF = InstanceRef.newBuilder()
            .setInstance("10.0.0.1:6379")
            .setHost("10.0.0.1")
            .setPort(6379)
            .build();

    static String resource(String name) {
        try (InputStream in = InfoParserTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    private static InfoSample parse(String text) {
        return InfoParser.parse(text, REF, 1_700_000_000_000L, "file");
    }

    private static List<String> sectionNames(InfoSample sample) {
        return sample.getSectionsList().stream().map(InfoSection::getName).collect(Collectors.toList());
    }

    private static int fieldCount(InfoSample sample) {
        return sample.getSectionsList().stream()
                .mapToInt(InfoSection::getFieldsCount)
                .sum();
    }

    @Test
    void seed000IndentedClientsAndMemoryFromABlogPost() {
        InfoSample sample = parse(resource("/info/seed-000-clients-memory.txt"));

        assertEquals(List.of("Clients", "Memory"), sectionNames(sample));
        assertEquals(Optional.of("41"), InfoParser.field(sample, "connected_clients"));
        assertEquals(Optional.of("27.55G"), InfoParser.field(sample, "used_memory_peak_human"));
        assertEquals(Optional.of("jemalloc-3.6.0"), InfoParser.field(sample, "mem_allocator"));
        assertEquals(Optional.of("29281598848"), InfoParser.field(sample, "used_memory"));
        assertEquals(List.of(), sample.getUnparsedLinesList());
        assertEquals(4 + 8, fieldCount(sample));
    }

    @Test
    void seed001PersistenceSection() {
        InfoSample sample = parse(resource("/info/seed-001-persistence.txt"));

        assertEquals(List.of("Persistence"), sectionNames(sample));
        assertEquals(Optional.of("1"), InfoParser.field(sample, "rdb_bgsave_in_progress"));
        assertEquals(Optional.of("116200"), InfoParser.field(sample, "rdb_changes_since_last_save"));
        assertEquals(Optional.of("-1"), InfoParser.field(sample, "aof_current_rewrite_time_sec"));
        assertEquals(Optional.of("ok"), InfoParser.field(sample, "aof_last_write_status"));
        assertEquals(14, fieldCount(sample));
    }

    @Test
    void seed001ExcerptWithoutHeaderKeepsPromptAndEllipsisAsUnparsed() {
        InfoSample sample = parse(resource("/info/seed-001-info-persistence-excerpt.txt"));

        assertEquals(List.of(""), sectionNames(sample));
        assertEquals(Optional.of("1448992510"), InfoParser.field(sample, "rdb_last_save_time"));
        assertEquals(7, fieldCount(sample));
        assertEquals(List.of("redis-cli > info persistence", "...", "..."), sample.getUnparsedLinesList());
    }

    @Test
    void seed002TwoPastedReplicationDumpsGiveTwoSections() {
        InfoSample sample = parse(resource("/info/seed-002-replication-loop.txt"));

        assertEquals(List.of("Replication", "Replication"), sectionNames(sample));
        InfoSection replica = sample.getSections(0);
        InfoSection master = sample.getSections(1);
        assertEquals("slave", value(replica, "role"));
        assertEquals("-4022404224", value(replica, "master_sync_left_bytes"));
        assertEquals("master", value(master, "role"));
        assertEquals("ip=192.168.10.192,port=6379,state=online,offset=1134556373255,lag=1", value(master, "slave0"));
        assertEquals("ip=192.168.10.82,port=6379,state=wait_bgsave,offset=0,lag=0", value(master, "slave1"));
        // field() answers from the first section that has the key
        assertEquals(Optional.of("slave"), InfoParser.field(sample, "role"));
        assertEquals(List.of(), sample.getUnparsedLinesList());
    }

    @Test
    void realRedis7InfoEverythingFixturesParseCompletely() {
        for (String name :
                List.of("/info/redis-7.0.15-master-everything.txt", "/info/redis-7.0.15-replica-everything.txt")) {
            String text = resource(name);
            assertTrue(text.contains("\r\n"), name + " should be the raw CRLF reply");
            InfoSample sample = parse(text);

            List<String> expectedSections = new ArrayList<>();
            int expectedFields = 0;
            for (String line : text.split("\r\n")) {
                if (line.startsWith("# ")) {
                    expectedSections.add(line.substring(2));
                } else if (line.contains(":")) {
                    expectedFields++;
                }
            }
            assertEquals(expectedSections, sectionNames(sample), name);
            assertEquals(expectedFields, fieldCount(sample), name);
            assertEquals(List.of(), sample.getUnparsedLinesList(), name);
            for (InfoSection section : sample.getSectionsList()) {
                for (InfoField field : section.getFieldsList()) {
                    assertFalse(field.getValue().endsWith("\r"), field.getKey());
                }
            }
            assertEquals(Optional.of("7.0.15"), InfoParser.field(sample, "redis_version"));
            assertEquals(Optional.of("/usr/bin/redis-server"), InfoParser.field(sample, "executable"));
        }
    }

    @Test
    void realRedis7MasterFixtureKeepsStructuredValues() {
        InfoSample sample = parse(resource("/info/redis-7.0.15-master-everything.txt"));

        assertEquals(Optional.of("count=2"), InfoParser.field(sample, "errorstat_ERR"));
        assertTrue(InfoParser.field(sample, "cmdstat_client|list").orElseThrow().startsWith("calls=1,usec="));
        assertTrue(InfoParser.field(sample, "latency_percentiles_usec_config|get")
                .orElseThrow()
                .matches("p50=[0-9.]+,p99=[0-9.]+,p99\\.9=[0-9.]+"));
        assertTrue(InfoParser.field(sample, "slave0")
                .orElseThrow()
                .matches("ip=127\\.0\\.0\\.1,port=\\d+,state=wait_bgsave,offset=0,lag=0"));
        assertTrue(InfoParser.field(sample, "db0").orElseThrow().startsWith("keys=1,expires=1,"));
        assertEquals(Optional.of(""), InfoParser.field(sample, "config_file"));
    }

    @Test
    void valuesAreSplitAtTheFirstColonOnlyAndKeptVerbatim() {
        InfoSample sample = parse("# Replication\n"
                + "slave0:ip=::1,port=6380,state=online,offset=1,lag=0\n"
                + "master_host:fe80::1%eth0\n"
                + "config_file:C:\\redis\\redis.conf \n"
                + "os:Linux 5.15.0-91-generic x86_64\n"
                + "module:name=search,ver=20809,api=1,filters=0,usedby=[],using=[ReJSON],options=[]\n");

        assertEquals("ip=::1,port=6380,state=online,offset=1,lag=0", value(sample.getSections(0), "slave0"));
        assertEquals("fe80::1%eth0", value(sample.getSections(0), "master_host"));
        assertEquals("C:\\redis\\redis.conf ", value(sample.getSections(0), "config_file"));
        assertEquals("Linux 5.15.0-91-generic x86_64", value(sample.getSections(0), "os"));
        assertEquals(
                "name=search,ver=20809,api=1,filters=0,usedby=[],using=[ReJSON],options=[]",
                value(sample.getSections(0), "module"));
    }

    @Test
    void crlfAndLfGiveTheSameSample() {
        String lf = resource("/info/redis-7.0.15-replica-everything.txt").replace("\r\n", "\n");
        assertFalse(lf.contains("\r"));
        assertEquals(parse(lf), parse(lf.replace("\n", "\r\n")));
    }

    @Test
    void emptyAndNullTextGiveAnEmptySampleWithItsMetadata() {
        for (String text : new String[] {"", null, "\r\n\n  \n"}) {
            InfoSample sample = InfoParser.parse(text, REF, 42L, "everything");
            assertEquals(0, sample.getSectionsCount());
            assertEquals(0, sample.getUnparsedLinesCount());
            assertEquals(REF, sample.getRef());
            assertEquals(42L, sample.getTsMs());
            assertEquals("everything", sample.getSource());
        }
    }

    @Test
    void fieldsBeforeAnyHeaderGoToAnUnnamedSection() {
        InfoSample sample = parse("role:master\nconnected_slaves:0\n# Memory\nused_memory:1\n");

        assertEquals(List.of("", "Memory"), sectionNames(sample));
        assertEquals("master", value(sample.getSections(0), "role"));
        assertEquals("1", value(sample.getSections(1), "used_memory"));
    }

    @Test
    void onlySingleWordHeadersOpenSections() {
        InfoSample sample = parse("# Server\n# save 900 1\n#\nredis_version:2.8.19\n#Keyspace  \ndb0:keys=1\n");

        assertEquals(List.of("Server", "Keyspace"), sectionNames(sample));
        assertEquals(List.of("# save 900 1", "#"), sample.getUnparsedLinesList());
    }

    @Test
    void garbageAndBinaryLinesAreKeptNotDroppedAndNotTakenForFields() {
        byte[] bytes = new byte[20_000];
        new Random(7).nextBytes(bytes);
        String binary = new String(bytes, StandardCharsets.UTF_8);
        String text = "# Stats\ntotal_connections_received:5\n" + binary
                + "\n\u0000\u0001:\u0002\nno colon here\n:leading colon\nkey with space:x\n";

        InfoSample sample = parse(text);

        // Lines end at '\n' only (a lone '\r' inside binary is part of its line); CR ends and
        // leading blanks do not count.
        long nonBlankLines = Arrays.stream(text.split("\n"))
                .filter(l -> !l.replaceAll("^[ \t]+|\r$", "").isEmpty())
                .count();
        assertEquals(
                nonBlankLines - 1,
                fieldCount(sample) + sample.getUnparsedLinesCount(),
                "every line but the header is either a field or kept as unparsed");
        assertEquals(Optional.of("5"), InfoParser.field(sample, "total_connections_received"));
        assertTrue(sample.getUnparsedLinesList().contains("\u0000\u0001:\u0002"));
        assertTrue(sample.getUnparsedLinesList().contains("no colon here"));
        assertTrue(sample.getUnparsedLinesList().contains(":leading colon"));
        assertTrue(sample.getUnparsedLinesList().contains("key with space:x"));
        for (InfoSection section : sample.getSectionsList()) {
            for (InfoField field : section.getFieldsList()) {
                assertTrue(
                        field.getKey().chars().allMatch(c -> c > ' ' && c != 0xFFFD),
                        "key must be printable: " + field.getKey());
            }
        }
        sample.toByteArray(); // must stay serializable, whatever the input
    }

    @Test
    void aVeryLongUnparsedLineIsCutWithAMarker() {
        String longLine = "x".repeat(10_000);
        InfoSample sample = parse("# Server\n" + longLine + "\nredis_version:7.2.4\n");

        assertEquals(1, sample.getUnparsedLinesCount());
        String kept = sample.getUnparsedLines(0);
        assertTrue(kept.startsWith("x".repeat(InfoParser.MAX_LINE_CHARS)));
        assertFalse(kept.startsWith("x".repeat(InfoParser.MAX_LINE_CHARS + 1)));
        assertTrue(kept.contains("10000 characters"), kept.substring(InfoParser.MAX_LINE_CHARS));
        assertEquals(Optional.of("7.2.4"), InfoParser.field(sample, "redis_version"));
    }

    @Test
    void theNumberOfUnparsedLinesIsCappedWithAFinalCount() {
        StringBuilder text = new StringBuilder("# Server\n");
        for (int i = 0; i < 1500; i++) {
            text.append("garbage line ").append(i).append('\n');
        }
        text.append("uptime_in_seconds:12\n");

        InfoSample sample = parse(text.toString());

        assertEquals(InfoParser.MAX_UNPARSED_LINES + 1, sample.getUnparsedLinesCount());
        assertEquals("garbage line 0", sample.getUnparsedLines(0));
        assertEquals("garbage line 999", sample.getUnparsedLines(InfoParser.MAX_UNPARSED_LINES - 1));
        String marker = sample.getUnparsedLines(InfoParser.MAX_UNPARSED_LINES);
        assertTrue(marker.contains("500 more unparsed lines dropped"), marker);
        assertEquals(Optional.of("12"), InfoParser.field(sample, "uptime_in_seconds"));
    }

    @Test
    void fieldIsEmptyForAnUnknownKey() {
        assertEquals(Optional.empty(), InfoParser.field(parse("# Server\nredis_version:7.0.0\n"), "nope"));
    }

    private static String value(InfoSection section, String key) {
        return section.getFieldsList().stream()
                .filter(f -> f.getKey().equals(key))
                .map(InfoField::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no field " + key + " in " + section.getName()));
    }
}
