package io.redwatch.collector.doctor;

import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code redwatch-collector doctor [--json] [FILE|-]}: diagnoses snapshot JSON offline, without a
 * database. With {@code --db-url … --instance I [--at T] [--window W]} it runs the same rules over
 * what PostgreSQL holds of one instance for the window ending at a past moment: a post-mortem.
 * Exit 0 when no finding is critical, 1 when one is, 2 on bad usage or unreadable input.
 */
@Command(
        name = "doctor",
        description =
                "Diagnose snapshot JSON (from `redwatch-agent snapshot --json`) and print findings; no database needed."
                        + " With --db-url and --instance: diagnose what the database holds of that instance at a past moment (--at) over a window.")
public final class DoctorCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_CRITICAL = 1;
    static final int EXIT_USAGE = 2;
    /** A pasted snapshot of a few days of logs fits; a mistaken multi-GB file is refused with a message. */
    static final long MAX_INPUT_BYTES = 512L << 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "print {\"findings\":[...]} instead of a report")
    boolean json;

    @Option(
            names = "--zone",
            description = "time zone of the times shown (default: this machine's, as the agent used to read log times)")
    String zone;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "FILE|-",
            description = "snapshot JSON; - or nothing for standard input")
    String file;

    @Option(
            names = "--db-url",
            paramLabel = "JDBC-URL",
            description = "read the history from this PostgreSQL database instead of a snapshot")
    String dbUrl;

    @Option(names = "--db-user", description = "database user (default: redwatch)")
    String dbUser;

    @Option(names = "--db-password-file", description = "file holding only the database password")
    Path dbPasswordFile;

    @Option(names = "--instance", paramLabel = "HOST:PORT", description = "the instance to diagnose (with --db-url)")
    String instance;

    @Option(
            names = "--at",
            paramLabel = "TIME",
            description =
                    "the moment to judge, e.g. \"2026-11-21 03:10\" (in --zone) or 2026-11-21T03:10:00Z; default now")
    String at;

    @Option(names = "--window", paramLabel = "DURATION", description = "how far back from --at to read (default 1h)")
    String window;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ZoneId z = zone();
            List<InstanceView> histories = dbUrl != null ? List.of(fromDatabase(z)) : fromSnapshot(z);
            Diagnosis diagnosis = new Diagnosis(Thresholds.defaults());
            List<Finding> findings = new ArrayList<>();
            for (InstanceView h : histories) findings.addAll(diagnosis.run(h));
            findings.sort(Comparator.comparing(Finding::severity)); // stable: per instance, in rule order
            out.print(json ? FindingsReport.json(findings) + "\n" : FindingsReport.text(findings, histories.size()));
            out.flush();
            return findings.stream().anyMatch(f -> f.severity() == Severity.CRITICAL) ? EXIT_CRITICAL : EXIT_OK;
        } catch (DoctorInputException e) {
            err.println("redwatch-collector doctor: " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
    }

    private List<InstanceView> fromSnapshot(ZoneId z) {
        if (instance != null || at != null || window != null) {
            throw new DoctorInputException(
                    "--instance, --at and --window read the history from a database: give --db-url too");
        }
        String source = file == null || "-".equals(file) ? "standard input" : file;
        List<Snapshot> snapshots = SnapshotReader.read(readInput(source), source);
        return SnapshotHistories.of(snapshots, z);
    }

    private InstanceView fromDatabase(ZoneId z) {
        if (file != null) throw new DoctorInputException("give either a snapshot FILE or --db-url, not both");
        if (instance == null || instance.isBlank()) {
            throw new DoctorInputException("--db-url needs --instance HOST:PORT (as the collector names it)");
        }
        long atMs = at == null ? System.currentTimeMillis() : PastMoment.parse(at, z);
        Duration w = window == null ? Duration.ofHours(1) : PastMoment.window(window);
        return ReadOnlyDatabase.read(
                dbUrl,
                dbUser == null ? "redwatch" : dbUser,
                dbPasswordFile,
                db -> StoredHistory.at(db, instance.trim(), atMs, w, z));
    }

    private ZoneId zone() {
        if (zone == null) return ZoneId.systemDefault();
        try {
            return ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new DoctorInputException("--zone " + zone + " is no time zone (e.g. UTC, Asia/Shanghai)");
        }
    }

    private String readInput(String source) {
        byte[] bytes;
        try {
            if (file == null || "-".equals(file)) {
                InputStream in = System.in;
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_INPUT_BYTES + 1));
            } else {
                Path p = Path.of(file);
                if (!Files.isRegularFile(p)) throw new DoctorInputException("cannot read " + file + ": no such file");
                if (Files.size(p) > MAX_INPUT_BYTES) {
                    throw new DoctorInputException(
                            file + " is larger than " + (MAX_INPUT_BYTES >> 20) + " MB; snapshot a shorter log");
                }
                bytes = Files.readAllBytes(p);
            }
        } catch (IOException e) {
            throw new DoctorInputException("cannot read " + source + ": " + e.getMessage());
        }
        if (bytes.length > MAX_INPUT_BYTES) {
            throw new DoctorInputException(
                    source + " is larger than " + (MAX_INPUT_BYTES >> 20) + " MB; snapshot a shorter log");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new DoctorInputException(
                    source + " is not UTF-8 text; expected the output of `redwatch-agent snapshot --json`");
        }
    }
}
