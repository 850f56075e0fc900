package io.redwatch.collector.rules;

import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * persistence_stale: changes are pending and the last successful save is older than
 * {@code persistenceStale}, judged on the server's own clock (server_time_usec) or the sample time
 * of a live sample; pasted INFO without a clock cannot be judged. Not for instances that save
 * nothing on purpose (save "" and no AOF).
 */
final class PersistenceStale implements Rule {
    @Override
    public String id() {
        return "persistence_stale";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        Optional<InfoView> info = h.infoWith("rdb_last_save_time");
        if (info.isEmpty() || h.liveWithoutConfig() || h.setting("save").value().isBlank()) return Optional.empty();
        InfoView i = info.get();
        OptionalLong changes = i.number("rdb_changes_since_last_save");
        OptionalLong lastSave = i.number("rdb_last_save_time");
        OptionalLong clock = i.serverTimeMs();
        if (changes.isEmpty() || changes.getAsLong() <= 0 || lastSave.isEmpty() || clock.isEmpty())
            return Optional.empty();
        long ageSec = clock.getAsLong() / 1000 - lastSave.getAsLong();
        if (ageSec < t.persistenceStale().toSeconds()) return Optional.empty();
        String summary = h.instance() + ": " + changes.getAsLong()
                + " changes not on disk; the last successful save was " + (ageSec / 60) + " min ago";
        List<String> evidence = List.of(
                (i.pasted() ? "INFO (pasted)" : h.time(i.tsMs()) + " INFO") + ": rdb_changes_since_last_save:"
                        + changes.getAsLong()
                        + " rdb_last_save_time:" + lastSave.getAsLong() + " (" + h.time(lastSave.getAsLong() * 1000)
                        + ")"
                        + i.get("rdb_last_bgsave_status")
                                .map(s -> " rdb_last_bgsave_status:" + s)
                                .orElse("")
                        + i.get("rdb_bgsave_in_progress")
                                .map(s -> " rdb_bgsave_in_progress:" + s)
                                .orElse(""),
                h.setting("save").evidence());
        String advice =
                "A restart now loses those changes. Run `redis-cli BGSAVE` and watch `redis-cli INFO persistence`; if it fails, "
                        + "see bgsave_failing; if it never starts, check the `save` points (`redis-cli CONFIG GET save`).";
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, i.tsMs()));
    }
}
