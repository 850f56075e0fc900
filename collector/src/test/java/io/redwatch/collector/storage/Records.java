package io.redwatch.collector.storage;

import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.FileIdentity;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the protobuf records the tests store, the way an agent would send them. */
final class Records {
    static final FileIdentity REDIS_LOG = FileIdentity.newBuilder()
            .setDevice(2049)
            .setInode(1_312_345)
            .setHeadFingerprint("9f2c1e77a0b4d3c2")
            .setHeadLength(1024)
            .build();

    // "[55231] 11 Aug 10:43:12.034 # msg" (Redis 2.x) or "12345:M 18 Aug 11:24:38.122 # msg"
    private static final Pattern LOG_LINE = Pattern.compile(
            "^\\[?(\\d+)(?:\\]|:([MSCX]))? (\\d{1,2} \\w{3} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) ([.\\-*#]) (.*)$");
    private static final DateTimeFormatter LOG_TIME =
            DateTimeFormatter.ofPattern("yyyy d MMM HH:mm:ss.SSS", Locale.ENGLISH);

    private Records() {}

    static Batch batch(long seq, Record... records) {
        Batch.Builder b = Batch.newBuilder().setSeq(seq).setCreatedMs(System.currentTimeMillis());
        for (Record r : records) {
            b.addRecords(r);
        }
        return b.build();
    }

    static Record info(InfoText info, String instance, long tsMs) {
        return Record.newBuilder().setInfo(info.toSample(instance, tsMs)).build();
    }

    static Record ping(String instance, long tsMs, PingResult.Outcome outcome, String reply, long latencyUs) {
        return Record.newBuilder()
                .setPing(PingResult.newBuilder()
                        .setRef(InfoText.ref(instance))
                        .setTsMs(tsMs)
                        .setOutcome(outcome)
                        .setReply(reply)
                        .setLatencyUs(latencyUs))
                .build();
    }

    static Record config(String instance, long tsMs) {
        return Record.newBuilder()
                .setConfig(ConfigSnapshot.newBuilder()
                        .setRef(InfoText.ref(instance))
                        .setTsMs(tsMs)
                        .addValues(ConfigValue.newBuilder().setKey("maxmemory").setValue("0"))
                        .addValues(ConfigValue.newBuilder()
                                .setKey("stop-writes-on-bgsave-error")
                                .setValue("yes"))
                        .addValues(ConfigValue.newBuilder()
                                .setKey("client-output-buffer-limit")
                                .setValue("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"))
                        .addUnavailable(
                                ConfigValue.newBuilder().setKey("save").setValue("ERR unknown command 'CONFIG'")))
                .build();
    }

    static Record host(String host, long tsMs, int overcommit) {
        return Record.newBuilder()
                .setHost(HostFacts.newBuilder()
                        .setHost(host)
                        .setTsMs(tsMs)
                        .setMemTotal(66_571_993_088L)
                        .setMemAvailable(29_001_234_432L)
                        .setMemFree(1_234_567_168L)
                        .setCached(20_000_000_000L)
                        .setSwapTotal(0)
                        .setSwapFree(0)
                        .setCommitLimit(33_285_996_544L)
                        .setCommittedAs(40_123_456_789L)
                        .setOvercommitMemory(overcommit)
                        .setOvercommitRatio(50)
                        .setThpEnabled("always")
                        .setThpDefrag("madvise")
                        .setSomaxconn(-1)
                        .setIowaitPct(12.5)
                        .setLoad1(1.5)
                        .setLoad5(1.25)
                        .setLoad15(1.0)
                        .setCpuCount(16)
                        .addErrors("/proc/sys/net/core/somaxconn: permission denied"))
                .build();
    }

    static Record process(String instance, long tsMs, int pipes) {
        return Record.newBuilder()
                .setProcess(ProcessFacts.newBuilder()
                        .setRef(InfoText.ref(instance))
                        .setTsMs(tsMs)
                        .setPid(12345)
                        .setPidSource("info")
                        .setFdTotal(499 + pipes + 12)
                        .setFdSockets(499)
                        .setFdPipes(pipes)
                        .setFdFiles(10)
                        .setFdAnonInodes(2)
                        .setFdOther(0)
                        .setNofileSoft(10032)
                        .setNofileHard(10032)
                        .setVmRss(29_582_000_000L)
                        .setVmSize(31_000_000_000L))
                .build();
    }

    /** A log line from a seed, parsed just enough; the year is given since Redis omits it. */
    static Record log(String instance, String line, int year, long offset) {
        LogEvent.Builder b = LogEvent.newBuilder()
                .setRef(InfoText.ref(instance))
                .setRaw(line)
                .setFile("/var/log/redis/redis.log")
                .setFileId(REDIS_LOG)
                .setOffset(offset)
                .setEndOffset(offset + line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
        Matcher m = LOG_LINE.matcher(line);
        if (m.matches()) {
            LocalDateTime t = LocalDateTime.parse(year + " " + m.group(3), LOG_TIME);
            b.setParsed(true)
                    .setTsFromLog(true)
                    .setTsMs(t.toInstant(ZoneOffset.UTC).toEpochMilli())
                    .setPid(Integer.parseInt(m.group(1)))
                    .setRole(m.group(2) == null ? "" : m.group(2))
                    .setLevel(
                            switch (m.group(4)) {
                                case "." -> LogEvent.Level.DEBUG;
                                case "-" -> LogEvent.Level.VERBOSE;
                                case "*" -> LogEvent.Level.NOTICE;
                                default -> LogEvent.Level.WARNING;
                            })
                    .setMessage(m.group(5));
        } else {
            b.setParsed(false).setTsFromLog(false).setTsMs(System.currentTimeMillis());
        }
        return Record.newBuilder().setLog(b).build();
    }
}
