package io.redwatch.collector.rules.view;

import java.util.Optional;

/** Redis's own defaults, used when the real setting is unknown (a pasted log, CONFIG renamed). */
public final class RedisDefaults {
    private RedisDefaults() {}

    static Optional<String> of(String key, Optional<RedisVersion> version) {
        boolean seven = version.map(v -> v.atLeast(7, 0, 0)).orElse(false);
        boolean three = version.map(v -> v.atLeast(3, 0, 0)).orElse(true);
        return Optional.ofNullable(
                switch (key) {
                    case "stop-writes-on-bgsave-error" -> "yes";
                    case "save" -> seven ? "3600 1 300 100 60 10000" : "900 1 300 10 60 10000";
                    case "appendonly" -> "no";
                    case "repl-backlog-size" -> "1048576";
                    case "client-output-buffer-limit" ->
                        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
                    case "maxclients" -> "10000";
                    case "maxmemory" -> "0";
                    case "maxmemory-policy" -> three ? "noeviction" : "volatile-lru";
                    case "tcp-backlog" -> "511";
                    case "repl-diskless-sync" -> seven ? "yes" : "no";
                    default -> null;
                });
    }
}
