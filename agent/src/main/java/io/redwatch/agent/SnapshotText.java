package io.redwatch.agent;

import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import io.redwatch.proto.v1.Snapshot;
import java.util.List;

/** A snapshot as a person reads it in a terminal: the facts that matter first, every count honest. */
final class SnapshotText {
    private static final List<String> KEY_INFO = List.of(
            "redis_version",
            "role",
            "uptime_in_seconds",
            "used_memory",
            "used_memory_rss",
            "maxmemory",
            "maxmemory_policy",
            "connected_clients",
            "rejected_connections",
            "loading",
            "rdb_last_bgsave_status",
            "rdb_changes_since_last_save",
            "aof_enabled",
            "aof_last_bgrewrite_status",
            "master_link_status",
            "master_sync_in_progress",
            "connected_slaves",
            "master_repl_offset",
            "repl_backlog_size",
            "sync_full",
            "sync_partial_err");
    private static final int LOG_LINES_SHOWN = 30;

    private SnapshotText() {}

    static String render(Snapshot s) {
        StringBuilder b = new StringBuilder();
        b.append("redwatch-agent ")
                .append(s.getAgentVersion())
                .append(" snapshot on ")
                .append(s.getHostname())
                .append('\n');
        int logs = 0;
        int unparsed = 0;
        for (Record r : s.getRecordsList()) {
            switch (r.getKindCase()) {
                case HOST -> host(b, r.getHost());
                case INFO -> info(b, r.getInfo());
                case PING -> ping(b, r.getPing());
                case CONFIG -> config(b, r.getConfig());
                case PROCESS -> process(b, r.getProcess());
                case LOG -> {
                    logs++;
                    if (!r.getLog().getParsed()) unparsed++;
                }
                default -> {}
            }
        }
        if (logs > 0) {
            b.append("\nlog: ")
                    .append(logs)
                    .append(" lines (")
                    .append(unparsed)
                    .append(" in no known Redis format, kept raw)");
            List<LogEvent> warnings = s.getRecordsList().stream()
                    .filter(Record::hasLog)
                    .map(Record::getLog)
                    .filter(e -> e.getLevel() == LogEvent.Level.WARNING)
                    .toList();
            b.append(", ").append(warnings.size()).append(" warnings");
            int from = Math.max(0, warnings.size() - LOG_LINES_SHOWN);
            if (from > 0) b.append("; the last ").append(LOG_LINES_SHOWN).append(':');
            b.append('\n');
            for (LogEvent e : warnings.subList(from, warnings.size()))
                b.append("  ").append(e.getRaw()).append('\n');
        }
        return b.toString();
    }

    private static void host(StringBuilder b, HostFacts h) {
        b.append("\nhost ")
                .append(h.getHost())
                .append('\n')
                .append("  memory: total ")
                .append(mb(h.getMemTotal()))
                .append(", available ")
                .append(mb(h.getMemAvailable()))
                .append(", swap free ")
                .append(mb(h.getSwapFree()))
                .append(" of ")
                .append(mb(h.getSwapTotal()))
                .append('\n')
                .append("  commit: limit ")
                .append(mb(h.getCommitLimit()))
                .append(", committed ")
                .append(mb(h.getCommittedAs()))
                .append('\n')
                .append("  vm.overcommit_memory=")
                .append(h.getOvercommitMemory())
                .append("  THP=")
                .append(h.getThpEnabled())
                .append("  somaxconn=")
                .append(h.getSomaxconn())
                .append(String.format(
                        "  iowait=%.1f%%  load=%.2f %.2f %.2f%n",
                        h.getIowaitPct(), h.getLoad1(), h.getLoad5(), h.getLoad15()));
        for (String e : h.getErrorsList()) b.append("  unreadable: ").append(e).append('\n');
    }

    private static void info(StringBuilder b, InfoSample i) {
        b.append("\ninstance ").append(i.getRef().getInstance()).append('\n');
        if (!i.getError().isEmpty()) {
            b.append("  INFO failed: ").append(i.getError()).append('\n');
            return;
        }
        int fields = i.getSectionsList().stream()
                .mapToInt(sec -> sec.getFieldsCount())
                .sum();
        b.append("  INFO ")
                .append(i.getSource())
                .append(": ")
                .append(fields)
                .append(" fields in ")
                .append(i.getSectionsCount())
                .append(" sections");
        if (i.getUnparsedLinesCount() > 0)
            b.append(", ").append(i.getUnparsedLinesCount()).append(" lines not key:value (kept)");
        b.append('\n');
        for (String k : KEY_INFO) {
            InfoParser.field(i, k)
                    .ifPresent(v ->
                            b.append("    ").append(k).append(':').append(v).append('\n'));
        }
    }

    private static void ping(StringBuilder b, PingResult p) {
        b.append("  PING: ")
                .append(p.getReply())
                .append(" (")
                .append(p.getOutcome())
                .append(", ")
                .append(p.getLatencyUs() / 1000.0)
                .append(" ms)\n");
    }

    private static void config(StringBuilder b, ConfigSnapshot c) {
        b.append("  CONFIG:\n");
        for (ConfigValue v : c.getValuesList())
            b.append("    ").append(v.getKey()).append(' ').append(v.getValue()).append('\n');
        for (ConfigValue v : c.getUnavailableList())
            b.append("    ")
                    .append(v.getKey())
                    .append(": ")
                    .append(v.getValue())
                    .append('\n');
    }

    private static void process(StringBuilder b, ProcessFacts p) {
        b.append("  process ")
                .append(p.getPid())
                .append(" (pid from ")
                .append(p.getPidSource())
                .append(")");
        if (!p.getError().isEmpty()) b.append(": ").append(p.getError());
        b.append('\n')
                .append("    fds ")
                .append(p.getFdTotal())
                .append(": sockets ")
                .append(p.getFdSockets())
                .append(", pipes ")
                .append(p.getFdPipes())
                .append(", files ")
                .append(p.getFdFiles())
                .append(", anon_inode ")
                .append(p.getFdAnonInodes())
                .append(", other ")
                .append(p.getFdOther())
                .append("; RLIMIT_NOFILE ")
                .append(p.getNofileSoft())
                .append('/')
                .append(p.getNofileHard())
                .append('\n')
                .append("    VmRSS ")
                .append(mb(p.getVmRss()))
                .append(", VmSize ")
                .append(mb(p.getVmSize()))
                .append('\n');
    }

    private static String mb(long bytes) {
        return (bytes >> 20) + " MB";
    }
}
