package io.redwatch.collector.rules;

import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.agent.tailing.LogLineParser;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Records for rule tests, made the way the agent makes them: log lines through the agent's own
 * LogLineParser, INFO text through its InfoParser. Log times are read in UTC relative to a fixed
 * moment, so the year of a line without one never depends on the day the test runs.
 */
final class Facts {
    static final ZoneId ZONE = ZoneOffset.UTC;
    static final long READ_AT = Instant.parse("2026-11-21T00:00:00Z").toEpochMilli();
    static final InstanceRef REF = InstanceRef.newBuilder()
            .setInstance("db1:6379")
            .setHost("db1")
            .setPort(6379)
            .build();
    private static final LogLineParser PARSER = new LogLineParser(ZONE);

    private Facts() {}

    static String resource(String name) {
        try (InputStream in = Facts.class.getResourceAsStream("/rules/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource rules/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event of a log text, run-together pastes split as the agent's snapshot does. */
    static List<LogEvent> log(String text) {
        List<LogEvent> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            for (String entry : LogLineParser.splitRunTogether(line)) {
                out.add(PARSER.parse(entry, READ_AT).setRef(REF).build());
            }
        }
        return out;
    }

    static long ts(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    static InfoSample info(String text, long tsMs, String source) {
        return InfoParser.parse(text, REF, tsMs, source);
    }

    static InfoSample pastedInfo(String text) {
        return info(text, READ_AT, "file");
    }

    static InfoSample liveInfo(String text, long tsMs) {
        return info(text, tsMs, "everything");
    }

    static ConfigSnapshot config(long tsMs, String... keyValues) {
        ConfigSnapshot.Builder b = ConfigSnapshot.newBuilder().setRef(REF).setTsMs(tsMs);
        for (int i = 0; i < keyValues.length; i += 2)
            b.addValues(ConfigValue.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
        return b.build();
    }

    static HostFacts.Builder host(long tsMs) {
        return HostFacts.newBuilder()
                .setHost("db1")
                .setTsMs(tsMs)
                .setOvercommitMemory(-1)
                .setSomaxconn(-1);
    }

    static ProcessFacts process(long tsMs, int total, int sockets, int pipes, long nofileSoft) {
        return ProcessFacts.newBuilder()
                .setRef(REF)
                .setTsMs(tsMs)
                .setPid(1838)
                .setPidSource("port")
                .setFdTotal(total)
                .setFdSockets(sockets)
                .setFdPipes(pipes)
                .setFdOther(total - sockets - pipes)
                .setNofileSoft(nofileSoft)
                .setNofileHard(nofileSoft)
                .build();
    }

    static PingResult ping(long tsMs, PingResult.Outcome outcome, String reply) {
        return PingResult.newBuilder()
                .setRef(REF)
                .setTsMs(tsMs)
                .setOutcome(outcome)
                .setReply(reply)
                .build();
    }

    static InstanceView.Builder history() {
        return InstanceView.builder(REF.getInstance(), REF.getHost()).zone(ZONE);
    }

    static InstanceView.Builder history(List<LogEvent> log) {
        InstanceView.Builder b = history();
        log.forEach(b::log);
        return b;
    }

    static List<Finding> diagnose(InstanceView h) {
        return new Diagnosis(Thresholds.defaults()).run(h);
    }

    static Set<String> ruleIds(InstanceView h) {
        Set<String> out = new TreeSet<>();
        for (Finding f : diagnose(h)) out.add(f.rule());
        return out;
    }

    static Finding finding(InstanceView h, String rule) {
        return diagnose(h).stream()
                .filter(f -> f.rule().equals(rule))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + rule + " finding; got " + ruleIds(h)));
    }
}
