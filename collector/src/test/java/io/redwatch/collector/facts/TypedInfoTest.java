package io.redwatch.collector.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TypedInfoTest {

    private static TypedInfo of(String... keyValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) fields.put(keyValues[i], keyValues[i + 1]);
        return TypedInfo.of(1000, false, false, fields);
    }

    @Test
    void everyValueReadsBackAsRedisWroteIt() {
        TypedInfo s = of(
                "used_memory",
                "1048576",
                "role",
                "slave",
                "master_link_status",
                "down",
                "loading_loaded_perc",
                "45.30",
                "errorstat_OOM",
                "count=7",
                "master_sync_left_bytes",
                "-1",
                "maxmemory",
                "0");
        assertEquals(Optional.of("1048576"), s.text(InfoField.USED_MEMORY));
        assertEquals(OptionalLong.of(1048576), s.number(InfoField.USED_MEMORY));
        assertEquals(Optional.of("slave"), s.text(InfoField.ROLE));
        assertEquals(Optional.of("down"), s.text(InfoField.MASTER_LINK_STATUS));
        assertEquals(Optional.of("45.30"), s.text(InfoField.LOADING_LOADED_PERC), "a decimal stays as written");
        assertEquals(OptionalLong.of(45), s.number(InfoField.LOADING_LOADED_PERC));
        assertEquals(Optional.of("count=7"), s.text(InfoField.ERRORSTAT_OOM));
        assertEquals(OptionalLong.of(7), s.number(InfoField.ERRORSTAT_OOM));
        assertEquals(OptionalLong.of(-1), s.number(InfoField.MASTER_SYNC_LEFT_BYTES));
        assertEquals(OptionalLong.of(0), s.number(InfoField.MAXMEMORY));
        assertFalse(s.has(InfoField.SYNC_FULL));
        assertEquals(Optional.empty(), s.text(InfoField.SYNC_FULL));
        assertEquals(7, s.size());
    }

    @Test
    void textThatIsNotAPlainNumberIsKeptAsText() {
        TypedInfo s = of(
                "used_memory",
                "007",
                "used_memory_rss",
                "99999999999999999999",
                "sync_full",
                "-0",
                "rejected_connections",
                "",
                "errorstat_OOM",
                "count=3,rejected_calls=0,failed_calls=3");
        assertEquals(Optional.of("007"), s.text(InfoField.USED_MEMORY));
        assertEquals(Optional.of("99999999999999999999"), s.text(InfoField.USED_MEMORY_RSS), "past a long");
        assertEquals(Optional.of("-0"), s.text(InfoField.SYNC_FULL));
        assertEquals(Optional.of(""), s.text(InfoField.REJECTED_CONNECTIONS));
        assertEquals(OptionalLong.empty(), s.number(InfoField.REJECTED_CONNECTIONS));
        assertEquals(Optional.of("count=3,rejected_calls=0,failed_calls=3"), s.text(InfoField.ERRORSTAT_OOM));
        assertEquals(
                OptionalLong.of(Long.MAX_VALUE),
                of("used_memory", Long.toString(Long.MAX_VALUE)).number(InfoField.USED_MEMORY));
        assertEquals(
                OptionalLong.of(Long.MIN_VALUE),
                of("used_memory", Long.toString(Long.MIN_VALUE)).number(InfoField.USED_MEMORY));
    }

    @Test
    void fieldsOutsideTheCatalogAreNotKept() {
        TypedInfo s =
                of("cmdstat_get", "calls=1", "db0", "keys=1,expires=0", "used_memory", "1", "redis_git_sha1", "0");
        assertEquals(1, s.size(), "storage-only and unknown fields are not held in a window");
    }

    @Test
    void theAgentsRecordAndTheFlattenedFieldsGiveTheSameSample() {
        InfoSample sample = InfoSample.newBuilder()
                .setTsMs(5)
                .setSource("file")
                .addSections(InfoSection.newBuilder()
                        .setName("Memory")
                        .addFields(io.redwatch.proto.v1.InfoField.newBuilder()
                                .setKey("used_memory")
                                .setValue("10"))
                        .addFields(io.redwatch.proto.v1.InfoField.newBuilder()
                                .setKey("maxmemory_policy")
                                .setValue("noeviction")))
                .build();
        TypedInfo fromRecord = TypedInfo.of(sample);
        TypedInfo fromFields = TypedInfo.of(5, true, false, BatchFacts.fields(sample));
        assertTrue(fromRecord.pasted());
        for (InfoField f : InfoField.values()) assertEquals(fromRecord.text(f), fromFields.text(f), f.key());
    }

    @Test
    void theSeriesFormKeepsOnlyWhatRulesReadOverTime() {
        TypedInfo s = of(
                "used_memory", "10", "role", "master", "maxmemory", "100", "redis_version", "7.0.15", "sync_full", "3");
        TypedInfo series = s.seriesOnly();
        assertEquals(Optional.of("10"), series.text(InfoField.USED_MEMORY));
        assertEquals(Optional.of("master"), series.text(InfoField.ROLE));
        assertEquals(Optional.of("3"), series.text(InfoField.SYNC_FULL));
        assertFalse(series.has(InfoField.MAXMEMORY));
        assertFalse(series.has(InfoField.REDIS_VERSION));
        assertSame(series, series.seriesOnly(), "nothing left to drop");
    }

    @Test
    void repeatedTextsAreOneObject() {
        TypedInfo a = of("role", new String("master"));
        TypedInfo b = of("role", new String("master"));
        assertSame(a.text(InfoField.ROLE).orElseThrow(), b.text(InfoField.ROLE).orElseThrow());
    }

    @Test
    void aKeyOutsideTheCatalogIsABugNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InfoField.of("used_memroy"));
        assertTrue(e.getMessage().contains("used_memroy"));
    }
}
