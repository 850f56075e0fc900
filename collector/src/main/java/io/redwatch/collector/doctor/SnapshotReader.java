package io.redwatch.collector.doctor;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonStreamParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.redwatch.proto.v1.Snapshot;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@code redwatch-agent snapshot --json} prints: one Snapshot as proto3 JSON, or several
 * one after another (e.g. {@code cat master.json replica.json}), so one diagnosis can see both sides
 * of a replication link. Unknown fields are ignored: a newer agent's output still reads.
 */
final class SnapshotReader {
    private SnapshotReader() {}

    static List<Snapshot> read(String text, String source) {
        String start = text.strip();
        if (start.isEmpty()) {
            throw new DoctorInputException(
                    source + " holds no snapshot; expected the output of `redwatch-agent snapshot --json`");
        }
        if (start.charAt(0) != '{') {
            // A raw redis.log or INFO paste is the common mistake: say what to do with it.
            String head = start.lines().findFirst().orElse("");
            throw new DoctorInputException(
                    source + " is not snapshot JSON (it starts with \""
                            + (head.length() > 40 ? head.substring(0, 40) + "..." : head)
                            + "\"); turn logs and INFO into a snapshot with `redwatch-agent snapshot --log-file F --info-file F --json`");
        }
        List<Snapshot> out = new ArrayList<>();
        JsonFormat.Parser parser = JsonFormat.parser().ignoringUnknownFields();
        JsonStreamParser stream = new JsonStreamParser(new StringReader(text));
        int n = 0;
        try {
            while (stream.hasNext()) {
                JsonElement e = stream.next();
                n++;
                if (!e.isJsonObject()) {
                    throw new DoctorInputException(source + ": JSON value " + n
                            + " is not an object; expected the output of " + "`redwatch-agent snapshot --json`");
                }
                Snapshot.Builder b = Snapshot.newBuilder();
                parser.merge(e.toString(), b);
                out.add(b.build());
            }
        } catch (JsonParseException e) {
            throw new DoctorInputException(
                    source + ": not JSON after " + n + " snapshot(s): " + firstLine(e.getMessage()));
        } catch (java.util.NoSuchElementException e) {
            // Gson's stream parser reports a value cut short this way.
            throw new DoctorInputException(
                    source + ": not JSON after " + n + " snapshot(s): the text ends inside a value (cut short?)");
        } catch (InvalidProtocolBufferException e) {
            throw new DoctorInputException(
                    source + ": snapshot " + n + " is not a redwatch Snapshot: " + firstLine(e.getMessage()));
        }
        if (out.isEmpty()) {
            throw new DoctorInputException(
                    source + " holds no snapshot; expected the output of `redwatch-agent snapshot --json`");
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
