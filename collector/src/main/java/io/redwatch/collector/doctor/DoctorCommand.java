package io.redwatch.collector.doctor;

import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.InstanceHistory;
import io.redwatch.collector.rules.Severity;
import io.redwatch.collector.rules.Thresholds;
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
 * database. Exit 0 when no finding is critical, 1 when one is, 2 on bad usage or unreadable input.
 */
@Command(name = "doctor", description = "Diagnose snapshot JSON (from `redwatch-agent snapshot --json`) and print findings; no database needed.")
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

    @Option(names = "--zone", description = "time zone of the times shown (default: this machine's, as the agent used to read log times)")
    String zone;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "snapshot JSON; - or nothing for standard input")
    String file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ZoneId z = zone();
            String source = file == null || "-".equals(file) ? "standard input" : file;
            List<Snapshot> snapshots = SnapshotReader.read(readInput(source), source);
            List<InstanceHistory> histories = SnapshotHistories.of(snapshots, z);
            Diagnosis diagnosis = new Diagnosis(Thresholds.defaults());
            List<Finding> findings = new ArrayList<>();
            for (InstanceHistory h : histories) findings.addAll(diagnosis.run(h));
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
                    throw new DoctorInputException(file + " is larger than " + (MAX_INPUT_BYTES >> 20) + " MB; snapshot a shorter log");
                }
                bytes = Files.readAllBytes(p);
            }
        } catch (IOException e) {
            throw new DoctorInputException("cannot read " + source + ": " + e.getMessage());
        }
        if (bytes.length > MAX_INPUT_BYTES) {
            throw new DoctorInputException(source + " is larger than " + (MAX_INPUT_BYTES >> 20) + " MB; snapshot a shorter log");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DoctorInputException(source + " is not UTF-8 text; expected the output of `redwatch-agent snapshot --json`");
        }
    }
}
