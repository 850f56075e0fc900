package io.redwatch.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.lettuce.core.resource.ClientResources;
import io.redwatch.agent.cli.CommandSpec;
import io.redwatch.agent.cli.OptionSpec;
import io.redwatch.agent.cli.ParsedArgs;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.osfacts.HostFactsReader;
import io.redwatch.agent.osfacts.ListeningPidFinder;
import io.redwatch.agent.osfacts.ProcessFactsReader;
import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.agent.sampling.RedisSampler;
import io.redwatch.agent.tailing.LogLineParser;
import io.redwatch.common.config.Secret;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.Record;
import io.redwatch.proto.v1.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prints, once, what the agent would send: from a live server, or from pasted INFO text and a log
 * file. Pasted text describes some other machine, so this host's own facts are left out of it
 * unless asked for with {@code --host-facts}: a diagnosis must not mix two hosts.
 */
final class SnapshotCommand {
    /** Pasted logs can be large; the offline diagnosis needs the lines, not a copy of a 5 GB file. */
    static final long MAX_LOG_BYTES = 256L << 20;
    /** Held: JUL keeps loggers weakly, and a level set on a collected logger is lost. */
    private static final Logger SAMPLER_LOG = Logger.getLogger(RedisSampler.class.getName());

    static final CommandSpec SPEC = new CommandSpec(
            "redwatch-agent snapshot",
            List.of(
                    "Print once what the agent would send (INFO, PING, CONFIG, log events, host and process facts).",
                    "Exit 0 when it could read everything asked for, 1 when the Redis server did not answer, 2 on bad usage or an unreadable file."),
            List.of(
                    OptionSpec.value("--redis", "redis", "a live server, e.g. redis://127.0.0.1:6379"),
                    OptionSpec.value(
                            "--password-file",
                            "passwordFile",
                            "password for --redis (read from the file, never printed)"),
                    OptionSpec.value("--info-file", "infoFile", "pasted INFO output instead of a live server"),
                    OptionSpec.value("--log-file", "logFile", "a redis.log (or pasted log lines) to parse"),
                    OptionSpec.value(
                            "--instance",
                            "instance",
                            "name for pasted data (default: pasted:<tcp_port from the INFO>)"),
                    OptionSpec.flag("--host-facts", "include this host's facts even for pasted data"),
                    OptionSpec.flag("--json", "print JSON (what redwatch-collector doctor reads)")),
            List.of());

    private String redis;
    private final Path passwordFile;
    private final Path infoFile;
    private final Path logFile;
    private final String instance;
    private final boolean hostFacts;
    private final boolean json;

    SnapshotCommand(ParsedArgs args) {
        redis = args.value("--redis");
        passwordFile = args.path("--password-file");
        infoFile = args.path("--info-file");
        logFile = args.path("--log-file");
        instance = args.value("--instance");
        hostFacts = args.flag("--host-facts");
        json = args.flag("--json");
    }

    int call(PrintWriter out, PrintWriter err) throws IOException {
        if (redis != null && infoFile != null) {
            // Otherwise the pasted INFO would be ignored without a word and the live server shown instead.
            throw new AgentMain.InputException("give --redis (a live server) or --info-file (pasted INFO), not both");
        }
        if (redis == null && infoFile == null && logFile == null) {
            redis = "redis://127.0.0.1:6379";
        }
        long now = System.currentTimeMillis();
        String host = AgentMain.hostname();
        Snapshot.Builder snap = Snapshot.newBuilder()
                .setAgentVersion(AgentMain.version())
                .setHostname(host)
                .setTakenMs(now);
        InstanceRef ref;
        String unanswered = null;
        if (redis != null) {
            Secret password = passwordFile == null ? Secret.none() : Secret.fromFile(passwordFile, "--password-file");
            RedisTarget target = RedisTarget.of(
                    redis,
                    instance == null ? "" : instance,
                    host,
                    "",
                    password,
                    logFile,
                    RedisTarget.DEFAULT_TIMEOUT,
                    RedisTarget.DEFAULT_TIMEOUT,
                    "--redis");
            ClientResources resources = LettuceResources.small();
            try (InstanceWatch w = new InstanceWatch(
                    new RedisSampler(target, resources),
                    new ProcessFactsReader(Path.of("/proc")),
                    new ListeningPidFinder(Path.of("/proc")),
                    Path.of("/proc"))) {
                ref = w.ref();
                snap.addRecords(Record.newBuilder()
                        .setHost(new HostFactsReader(Path.of("/proc"), Path.of("/sys")).read(host, now)));
                SAMPLER_LOG.setLevel(Level.SEVERE); // its "retrying every sample" is for the running agent
                w.sample(now, snap::addRecords);
                InfoSample info = snap.getRecordsList().stream()
                        .filter(Record::hasInfo)
                        .map(Record::getInfo)
                        .findFirst()
                        .orElse(null);
                if (info != null && !info.getError().isEmpty()) {
                    unanswered = "Redis at " + target.redactedUrl() + " did not answer: " + info.getError()
                            + ". Check that redis-server runs there and that the URL"
                            + (passwordFile == null ? "" : " and --password-file") + " are right.";
                } else {
                    w.sampleConfig(now, snap::addRecords);
                }
            } finally {
                resources.shutdown();
            }
        } else {
            InfoSample info = infoFile == null
                    ? null
                    : InfoParser.parse(read(infoFile), InstanceRef.getDefaultInstance(), now, "file");
            String name = instance != null
                    ? instance
                    : "pasted:"
                            + (info == null
                                    ? "0"
                                    : InfoParser.field(info, "tcp_port").orElse("0"));
            int colon = name.lastIndexOf(':');
            int port = 0;
            try {
                port = colon < 0 ? 0 : Integer.parseInt(name.substring(colon + 1));
            } catch (NumberFormatException ignored) {
                // a free-form name has no port
            }
            ref = InstanceRef.newBuilder()
                    .setInstance(name)
                    .setHost(colon < 0 ? name : name.substring(0, colon))
                    .setPort(port)
                    .build();
            if (info != null)
                snap.addRecords(Record.newBuilder().setInfo(info.toBuilder().setRef(ref)));
            if (hostFacts) {
                snap.addRecords(Record.newBuilder()
                        .setHost(new HostFactsReader(Path.of("/proc"), Path.of("/sys")).read(host, now)));
            }
        }
        if (logFile != null) {
            for (LogEvent e : logEvents(logFile, ref, now))
                snap.addRecords(Record.newBuilder().setLog(e));
        }
        print(snap.build(), out);
        if (unanswered != null) {
            // Once, after what could be read (this host's facts): a one-shot command does not retry.
            err.println("redwatch-agent: " + unanswered);
            err.flush();
            return AgentMain.EXIT_FAILURE;
        }
        return AgentMain.EXIT_OK;
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > MAX_LOG_BYTES) {
                throw new AgentMain.InputException(file + " is larger than " + (MAX_LOG_BYTES >> 20)
                        + " MB; pass the relevant part (e.g. tail -c 100M " + file + " > part.log)");
            }
            // Malformed bytes become U+FFFD rather than failing the whole paste.
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new AgentMain.InputException("cannot read " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new AgentMain.InputException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            // NoSuchFileException's message is just the path again; the other IOExceptions say what failed
            throw new AgentMain.InputException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Every line of a pasted log, split where a paste ran several entries into one line. */
    static List<LogEvent> logEvents(Path file, InstanceRef ref, long now) {
        LogLineParser parser = new LogLineParser(ZoneId.systemDefault());
        List<LogEvent> out = new ArrayList<>();
        String text = read(file);
        long offset = 0;
        for (String line : text.split("\n", -1)) {
            long lineBytes = line.getBytes(StandardCharsets.UTF_8).length + 1L;
            String clean = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (!clean.isBlank()) {
                for (String entry : LogLineParser.splitRunTogether(clean)) {
                    out.add(parser.parse(entry, now)
                            .setRef(ref)
                            .setFile(file.toString())
                            .setOffset(offset)
                            .setEndOffset(offset + lineBytes)
                            .build());
                }
            }
            offset += lineBytes;
        }
        return out;
    }

    private void print(Snapshot s, PrintWriter out) throws InvalidProtocolBufferException {
        if (json) {
            out.println(JsonFormat.printer().omittingInsignificantWhitespace().print(s));
        } else {
            out.print(SnapshotText.render(s));
        }
        out.flush();
    }
}
