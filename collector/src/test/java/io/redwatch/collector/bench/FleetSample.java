package io.redwatch.collector.bench;

import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.FileIdentity;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one simulated agent sends every interval, as the real agent would: an INFO sample (a real
 * {@code INFO everything} of Redis 7.0, ~200 fields, with the fields that move moved), a PING, host
 * and process facts, 5 log lines, and CONFIG every sixth batch (once a minute at 10 s).
 */
final class FleetSample {
    static final int LOG_LINES = 5;
    static final int CONFIG_EVERY = 6;
    private static final Set<String> MOVING = Set.of(
            "used_memory",
            "used_memory_rss",
            "connected_clients",
            "master_repl_offset",
            "uptime_in_seconds",
            "total_commands_processed",
            "instantaneous_ops_per_sec");
    private static final List<InfoSection> SECTIONS = readInfo("/storage/info-redis-7.0-b.txt");
    static final int INFO_FIELDS =
            SECTIONS.stream().mapToInt(InfoSection::getFieldsCount).sum();

    private FleetSample() {}

    /** The records of batch {@code n} (1, 2, ...) of agent {@code agent}, sampled at {@code tsMs}. */
    static Batch batch(int agent, long seq, long n, long tsMs) {
        String host = "fleet-" + agent;
        InstanceRef ref = InstanceRef.newBuilder()
                .setInstance(host + ":6379")
                .setHost(host)
                .setPort(6379)
                .build();
        Batch.Builder b = Batch.newBuilder().setSeq(seq).setCreatedMs(tsMs);
        b.addRecordsBuilder().setInfo(info(ref, tsMs, n));
        b.addRecordsBuilder()
                .setPing(PingResult.newBuilder()
                        .setRef(ref)
                        .setTsMs(tsMs)
                        .setOutcome(PingResult.Outcome.PONG)
                        .setReply("PONG")
                        .setLatencyUs(150 + n % 50));
        b.addRecordsBuilder()
                .setHost(HostFacts.newBuilder()
                        .setHost(host)
                        .setTsMs(tsMs)
                        .setMemTotal(16L << 30)
                        .setMemAvailable((9L << 30) - n * 4096)
                        .setMemFree(2L << 30)
                        .setCached(6L << 30)
                        .setCommitLimit(8L << 30)
                        .setCommittedAs(7L << 30)
                        .setOvercommitMemory(1)
                        .setOvercommitRatio(50)
                        .setThpEnabled("madvise")
                        .setThpDefrag("madvise")
                        .setSomaxconn(4096)
                        .setIowaitPct(0.5)
                        .setLoad1(0.4)
                        .setLoad5(0.3)
                        .setLoad15(0.2)
                        .setCpuCount(4));
        b.addRecordsBuilder()
                .setProcess(ProcessFacts.newBuilder()
                        .setRef(ref)
                        .setTsMs(tsMs)
                        .setPid(1000 + agent)
                        .setPidSource("info")
                        .setFdTotal(60)
                        .setFdSockets(40)
                        .setFdPipes(4)
                        .setFdFiles(12)
                        .setFdAnonInodes(2)
                        .setNofileSoft(10032)
                        .setNofileHard(10032)
                        .setVmRss(300L << 20)
                        .setVmSize(600L << 20));
        FileIdentity file = FileIdentity.newBuilder()
                .setDevice(2049)
                .setInode(100_000 + agent)
                .setHeadFingerprint("fleet" + agent)
                .setHeadLength(1024)
                .build();
        for (int i = 0; i < LOG_LINES; i++) {
            long offset = (n * LOG_LINES + i) * 80;
            String message = "DB saved on disk (" + n + "." + i + ")";
            String raw = (1000 + agent) + ":M 29 Nov 2026 10:00:00.000 * " + message;
            b.addRecordsBuilder()
                    .setLog(LogEvent.newBuilder()
                            .setRef(ref)
                            .setTsMs(tsMs)
                            .setTsFromLog(true)
                            .setPid(1000 + agent)
                            .setRole("master")
                            .setLevel(LogEvent.Level.NOTICE)
                            .setMessage(message)
                            .setRaw(raw)
                            .setParsed(true)
                            .setFile("/var/log/redis/redis-server.log")
                            .setFileId(file)
                            .setOffset(offset)
                            .setEndOffset(offset + raw.length() + 1));
        }
        if (n % CONFIG_EVERY == 1) {
            b.addRecordsBuilder()
                    .setConfig(ConfigSnapshot.newBuilder()
                            .setRef(ref)
                            .setTsMs(tsMs)
                            .addValues(value("maxmemory", "4294967296"))
                            .addValues(value("maxmemory-policy", "allkeys-lru"))
                            .addValues(value("maxclients", "10000"))
                            .addValues(value("save", "3600 1 300 100 60 10000"))
                            .addValues(value("appendonly", "no"))
                            .addValues(value("stop-writes-on-bgsave-error", "yes"))
                            .addValues(value(
                                    "client-output-buffer-limit",
                                    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"))
                            .addValues(value("repl-backlog-size", "1048576"))
                            .addValues(value("repl-diskless-sync", "yes"))
                            .addValues(value("tcp-backlog", "511"))
                            .addValues(value("dir", "/var/lib/redis"))
                            .addValues(value("dbfilename", "dump.rdb"))
                            .addValues(value("logfile", "/var/log/redis/redis-server.log")));
        }
        return b.build();
    }

    /** Records per batch, by kind, and which batches carry CONFIG: for checking what was stored. */
    static boolean hasConfig(long n) {
        return n % CONFIG_EVERY == 1;
    }

    private static InfoSample info(InstanceRef ref, long tsMs, long n) {
        InfoSample.Builder s = InfoSample.newBuilder().setRef(ref).setTsMs(tsMs).setSource("everything");
        for (InfoSection section : SECTIONS) {
            InfoSection.Builder out = InfoSection.newBuilder().setName(section.getName());
            for (InfoField f : section.getFieldsList()) {
                out.addFields(
                        MOVING.contains(f.getKey())
                                ? InfoField.newBuilder()
                                        .setKey(f.getKey())
                                        .setValue(moved(f.getKey(), f.getValue(), n))
                                        .build()
                                : f);
            }
            s.addSections(out);
        }
        return s.build();
    }

    private static String moved(String key, String value, long n) {
        try {
            long v = Long.parseLong(value);
            return Long.toString(key.equals("connected_clients") ? v + n % 7 : v + n * 1_000);
        } catch (NumberFormatException e) {
            return value;
        }
    }

    private static ConfigValue value(String key, String value) {
        return ConfigValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static List<InfoSection> readInfo(String resource) {
        String text;
        try (InputStream in = FleetSample.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("test resource " + resource + " is missing");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<InfoSection> sections = new ArrayList<>();
        InfoSection.Builder current = null;
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("# ")) {
                if (current != null) sections.add(current.build());
                current = InfoSection.newBuilder().setName(line.substring(2).trim());
            } else if (current != null && line.indexOf(':') > 0) {
                int colon = line.indexOf(':');
                current.addFields(
                        InfoField.newBuilder().setKey(line.substring(0, colon)).setValue(line.substring(colon + 1)));
            }
        }
        if (current != null) sections.add(current.build());
        return List.copyOf(sections);
    }
}
