package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.LogText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Full syncs that stopped before the replica had its data, found by their mechanism rather than
 * counted: such a sync can never complete, so the replica is in a full-resync loop from its first
 * cycle (a replica always reconnects, and one that never finished loading has nothing to resume from).
 *
 * <ul>
 *   <li>Master: the replica's client is closed for its output buffer while its last command is still
 *       SYNC or PSYNC: it had not acknowledged any offset, so it was still receiving or loading. This
 *       alone is a loop: the next sync meets the same writes and the same limit.</li>
 *   <li>Master: the diskless transfer child failed or was killed, or the replica's link broke between
 *       the start of its full sync and "Synchronization with replica succeeded"; and the replica
 *       asked for a full sync again afterwards.</li>
 *   <li>Replica: the transfer broke between "Full resync from master" and "Finished with success", or
 *       the RDB received could not be loaded; and a full sync started again afterwards.</li>
 * </ul>
 * A BGSAVE for SYNC that failed on disk is not counted: that is bgsave_failing's cause, not the sync's.
 * Replicas are told apart by host only: the output-buffer line names the client's ephemeral port.
 */
public final class AbortedSyncs {
    /** One aborted sync: the replica (or "master"), the line that shows it, and why it could not finish. */
    public record Abort(String peer, LogLine line, String why, boolean selfRepeating) {}

    /** Aborts that the log shows to be a loop, oldest first, per peer. */
    final Map<String, List<Abort>> loops = new LinkedHashMap<>();

    public static AbortedSyncs of(InstanceView h, long fromMs) {
        AbortedSyncs out = new AbortedSyncs();
        Map<String, LogLine> syncing = new LinkedHashMap<>(); // master: replica host → start of its full sync
        List<Abort> pending = new ArrayList<>(); // aborts waiting for a restart to prove the loop
        boolean socketTarget = false;
        boolean replicaSyncing = false; // replica: between Full resync and Finished
        String asking = null;
        for (LogLine l : h.logs()) {
            if (l.timed() && l.tsMs() < fromMs) continue;
            String text = l.text();
            if (l.is(LogKind.SYNC_REQUESTED)) {
                asking = LogText.replicaAddress(text).map(AbortedSyncs::hostOf).orElse("?");
            } else if (l.is(LogKind.FULL_RESYNC) && text.contains("Full resync from master")) {
                out.restarted(pending, "master", l);
                replicaSyncing = true;
            } else if (l.is(LogKind.FULL_RESYNC) || l.is(LogKind.PARTIAL_RESYNC_REFUSED)) {
                if (text.contains("Starting BGSAVE for SYNC")) socketTarget = text.contains("sockets");
                String peer =
                        LogText.replicaAddress(text).map(AbortedSyncs::hostOf).orElse(asking);
                if (peer != null) {
                    out.restarted(pending, peer, l);
                    syncing.putIfAbsent(peer, l);
                }
            } else if (l.is(LogKind.REPLICA_SYNC_SENT) || text.contains("Streamed RDB transfer with")) {
                LogText.replicaAddress(text).map(AbortedSyncs::hostOf).ifPresent(syncing::remove);
            } else if (l.is(LogKind.OUTPUT_BUFFER_LIMIT_KILL) && SyncWindow.isReplicaClient(l) && inSync(l)) {
                String peer = LogText.clientField(text, "addr")
                        .map(AbortedSyncs::hostOf)
                        .orElse("?");
                String cmd = LogText.clientField(text, "cmd").orElse("sync");
                String omem = LogText.number(LogText.clientField(text, "omem")).stream()
                        .mapToObj(ByteSize::human)
                        .findFirst()
                        .orElse("?");
                out.add(new Abort(
                        peer,
                        l,
                        "the master closed it for its output buffer (" + omem + ") while it was still in "
                                + cmd.toUpperCase(java.util.Locale.ROOT),
                        true));
                syncing.remove(peer);
            } else if (l.is(LogKind.REPLICA_LINK_LOST)) {
                Optional<String> peer = LogText.replicaAddress(text).map(AbortedSyncs::hostOf);
                if (peer.isPresent() && syncing.remove(peer.get()) != null) {
                    pending.add(new Abort(peer.get(), l, "its link broke during its full sync", false));
                }
            } else if (l.is(LogKind.SYNC_ABORTED) || l.is(LogKind.BGSAVE_ABORTED) && text.contains("transfer")) {
                boolean diskSaveFailed = text.contains("BGSAVE child returned an error") && !socketTarget;
                if (!diskSaveFailed) {
                    for (String peer : syncing.keySet())
                        pending.add(new Abort(peer, l, "the diskless transfer was aborted", false));
                    syncing.clear();
                }
            } else if (l.is(LogKind.MASTER_LINK_LOST) && replicaSyncing) {
                pending.add(
                        new Abort("master", l, "the transfer from the master broke before the sync finished", false));
                replicaSyncing = false;
            } else if (l.is(LogKind.SYNC_LOAD_FAILED)) {
                out.restarted(pending, "master", l);
                pending.add(new Abort("master", l, "the replica could not load the RDB it received", false));
                replicaSyncing = false;
            } else if (l.is(LogKind.SYNC_FINISHED) || l.is(LogKind.PARTIAL_RESYNC_ACCEPTED)) {
                replicaSyncing = false;
            }
        }
        return out;
    }

    /** A new full sync of a peer proves its earlier aborts were a loop. */
    private void restarted(List<Abort> pending, String peer, LogLine restart) {
        for (var it = pending.iterator(); it.hasNext(); ) {
            Abort a = it.next();
            if (a.peer().equals(peer) && a.line() != restart) {
                add(a);
                it.remove();
            }
        }
    }

    private void add(Abort a) {
        loops.computeIfAbsent(a.peer(), k -> new ArrayList<>()).add(a);
    }

    /** The peer with the most aborts, if any. */
    public Optional<List<Abort>> worst() {
        return loops.values().stream().max(java.util.Comparator.comparingInt(List::size));
    }

    /** The replica's last command is the sync itself: it never acknowledged an offset (REPLCONF ACK). */
    private static boolean inSync(LogLine l) {
        String cmd = LogText.clientField(l.text(), "cmd").orElse("");
        return cmd.equalsIgnoreCase("sync") || cmd.equalsIgnoreCase("psync");
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon > 0 ? address.substring(0, colon) : address;
    }
}
