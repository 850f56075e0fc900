package io.redwatch.collector.ingest;

import io.redwatch.collector.storage.InstanceOwnership;
import io.redwatch.collector.storage.InstanceOwnership.Kind;
import io.redwatch.collector.storage.InstanceOwnership.Name;
import io.redwatch.proto.RecordTime;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.Record;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What of an authenticated agent's batch may be stored: records whose instance or host name is
 * malformed, or owned by another agent, are left out (and the agent told why in its Ack); records
 * stamped beyond the clock bound are restamped; a record of a kind this collector does not know
 * poisons the whole batch (it goes to dead_letters whole, to be replayed after an upgrade).
 * A batch with nothing to object to is passed on as is, without copying.
 */
final class RecordScreen {
    private static final Logger LOG = Logger.getLogger(RecordScreen.class.getName());

    /** What to store, and what the agent and the operator are told. */
    record Screened(Batch batch, String refused, String poison, int restamped, long skewMs) {}

    private final InstanceOwnership ownership;
    private final ClockBound clock;
    private final IngestMetrics metrics;
    private final RefusalLog refusals;

    RecordScreen(InstanceOwnership ownership, ClockBound clock, IngestMetrics metrics, RefusalLog refusals) {
        this.ownership = ownership;
        this.clock = clock;
        this.metrics = metrics;
        this.refusals = refusals;
    }

    /** Runs on a worker thread (it may read name_owners). */
    Screened screen(String agentId, String agentHost, Batch b, long nowMs) {
        int n = b.getRecordsCount();
        Name[] names = new Name[n];
        String[] problems = null;
        ClockBound.Verdict[] times = null;
        Map<Name, Boolean> distinct = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Record r = b.getRecords(i);
            if (r.getKindCase() == Record.KindCase.KIND_NOT_SET) {
                return new Screened(
                        b,
                        "",
                        "record " + i + " is of a kind this collector does not know"
                                + " (the agent is newer): upgrade the collector, then replay it from dead_letters",
                        0,
                        0);
            }
            String problem = name(r, agentHost, names, i);
            if (problem != null) {
                if (problems == null) problems = new String[n];
                problems[i] = problem;
                continue;
            }
            if (names[i] != null) distinct.put(names[i], Boolean.TRUE);
            ClockBound.Verdict v = clock.judge(r, nowMs);
            if (v != ClockBound.Verdict.KEEP) {
                if (times == null) times = new ClockBound.Verdict[n];
                times[i] = v;
            }
        }
        Map<Name, String> foreign =
                distinct.isEmpty() ? Map.of() : ownership.foreignOwners(agentId, new ArrayList<>(distinct.keySet()));
        if (problems == null && times == null && foreign.isEmpty()) return new Screened(b, "", "", 0, 0);

        List<Record> kept = new ArrayList<>(n);
        List<String> told = new ArrayList<>();
        int restamped = 0;
        int tooOld = 0;
        int refusedRecords = 0;
        long skew = 0;
        for (int i = 0; i < n; i++) {
            Record r = b.getRecords(i);
            if (problems != null && problems[i] != null) {
                refusedRecords++;
                addOnce(told, "record refused: " + problems[i]);
                final String p = problems[i];
                refusals.log(
                        Level.WARNING,
                        agentId,
                        "name",
                        () -> "agent " + agentId + " sent a record whose " + p
                                + "; that record was not stored. Names must be printable, on one line, at most "
                                + WireNames.MAX_LENGTH + " characters: check redis[].name in the agent's config");
                continue;
            }
            String owner = names[i] == null ? null : foreign.get(names[i]);
            if (owner != null) {
                refusedRecords++;
                Name name = names[i];
                String move = "redwatch-collector instance move --"
                        + name.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + name.name() + " --agent-id "
                        + agentId;
                addOnce(
                        told,
                        "records for " + name.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + name.name()
                                + " refused: it belongs to agent " + owner
                                + " (if it moved to this agent, an operator runs `" + move + "`)");
                refusals.log(
                        Level.WARNING,
                        agentId,
                        "owner:" + name.key(),
                        () -> "refused records of agent " + agentId
                                + " for " + name.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + name.name()
                                + ": it belongs to agent " + owner + ". If it really moved, run `" + move
                                + "`; otherwise two agents claim one name (check redis[].name in their configs)");
                continue;
            }
            ClockBound.Verdict v = times == null || times[i] == null ? ClockBound.Verdict.KEEP : times[i];
            if (v == ClockBound.Verdict.DROP) {
                tooOld++;
                continue;
            }
            if (v == ClockBound.Verdict.RESTAMP) {
                long off = RecordTime.of(r) - nowMs;
                if (Math.abs(off) > Math.abs(skew)) skew = off;
                restamped++;
                r = ClockBound.restamp(r, nowMs);
            }
            kept.add(r);
        }
        metrics.recordsRefused.addAndGet(refusedRecords);
        metrics.recordsRestamped.addAndGet(restamped);
        metrics.recordsTooOld.addAndGet(tooOld);
        if (restamped > 0) {
            final long s = skew;
            refusals.log(
                    Level.WARNING,
                    agentId,
                    "clock",
                    () -> "agent " + agentId + " sent records stamped " + (s / 1000)
                            + " s from the collector's clock (allowed: " + ClockBound.MAX_AHEAD_MS / 1000
                            + " s ahead, retention behind);"
                            + " they were stored at the collector's receive time. Fix the clock of host " + agentHost
                            + " (chrony/ntp)");
            addOnce(
                    told,
                    restamped + " records stamped " + (skew / 1000)
                            + " s off the collector's clock were stored at its receive time: fix this host's clock");
        }
        Batch out = b.toBuilder().clearRecords().addAllRecords(kept).build();
        return new Screened(out, String.join("; ", told), "", restamped, skew);
    }

    private static void addOnce(List<String> told, String s) {
        if (told.size() < 10 && !told.contains(s)) told.add(s);
    }

    /** The instance or host name of record {@code i} into {@code names}; a problem with it, or null. */
    private static String name(Record r, String agentHost, Name[] names, int i) {
        switch (r.getKindCase()) {
            case GAP -> {
                return null;
            }
            case HOST -> {
                String host = r.getHost().getHost().isEmpty()
                        ? agentHost
                        : r.getHost().getHost();
                String p = WireNames.problem("host name", host);
                if (p == null) names[i] = new Name(Kind.HOST, host);
                return p;
            }
            default -> {
                InstanceRef ref = switch (r.getKindCase()) {
                    case INFO -> r.getInfo().getRef();
                    case PING -> r.getPing().getRef();
                    case CONFIG -> r.getConfig().getRef();
                    case LOG -> r.getLog().getRef();
                    case PROCESS -> r.getProcess().getRef();
                    default -> InstanceRef.getDefaultInstance();
                };
                if (ref.getInstance().isEmpty() && ref.getHost().isEmpty())
                    return "instance is not named (neither instance nor host:port)";
                String p = WireNames.problem("host name", ref.getHost());
                if (p != null) return p;
                String instance = ref.getInstance().isEmpty() ? ref.getHost() + ":" + ref.getPort() : ref.getInstance();
                p = WireNames.problem("instance name", instance);
                if (p == null) names[i] = new Name(Kind.INSTANCE, instance);
                return p;
            }
        }
    }
}
