package io.redwatch.agent.config;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the agent needs to run, validated: a value that passes {@link #validate()} is usable.
 *
 * @param collectorAddress {@code host:port} of the collector's gRPC port
 * @param interval         INFO, PING, host and process facts
 * @param configInterval   CONFIG GET of the watched parameters
 * @param logPollInterval  how often redis.log is checked for new lines
 * @param spoolMaxBytes    disk budget of the spool of unacknowledged batches under {@code stateDir}
 * @param tls              how to reach the collector: TLS, or plaintext ({@link CollectorTls#off()})
 */
public record AgentConfig(
        String agentId,
        String hostname,
        String collectorAddress,
        Secret token,
        Duration interval,
        Duration configInterval,
        Duration logPollInterval,
        Path stateDir,
        Path procRoot,
        Path sysRoot,
        List<RedisTarget> redis,
        long spoolMaxBytes,
        CollectorTls tls) {

    public static final String DEFAULT_COLLECTOR = "127.0.0.1:7400";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONFIG_INTERVAL = Duration.ofMinutes(1);
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/redwatch-agent");
    public static final long DEFAULT_SPOOL_MAX_BYTES = 256L << 20;
    /** Two segments of the smallest size: below that the spool cannot rotate its files. */
    public static final long MIN_SPOOL_MAX_BYTES = 1L << 20;

    static final Set<String> TOP_KEYS = Set.of(
            "agent_id",
            "collector",
            "interval",
            "config_interval",
            "log_poll_interval",
            "state_dir",
            "proc_root",
            "sys_root",
            "redis",
            "spool_max_bytes");

    /** With the default spool budget, plaintext to the collector (the quick start, tests). */
    public AgentConfig(
            String agentId,
            String hostname,
            String collectorAddress,
            Secret token,
            Duration interval,
            Duration configInterval,
            Duration logPollInterval,
            Path stateDir,
            Path procRoot,
            Path sysRoot,
            List<RedisTarget> redis) {
        this(
                agentId,
                hostname,
                collectorAddress,
                token,
                interval,
                configInterval,
                logPollInterval,
                stateDir,
                procRoot,
                sysRoot,
                redis,
                DEFAULT_SPOOL_MAX_BYTES,
                CollectorTls.off());
    }

    public AgentConfig validate() {
        if (redis.isEmpty()) {
            throw new ConfigException(
                    "no Redis instance to watch: add a 'redis:' list to the config or pass --redis redis://host:port");
        }
        parseHostPort(collectorAddress, "collector.address");
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("interval must be at least 100ms, got " + interval.toMillis() + "ms");
        }
        if (spoolMaxBytes < MIN_SPOOL_MAX_BYTES) {
            throw new ConfigException("spool_max_bytes must be at least 1MB, got " + spoolMaxBytes + " bytes");
        }
        Map<String, Integer> entryByInstance = new HashMap<>();
        for (int i = 0; i < redis.size(); i++) {
            Integer earlier = entryByInstance.putIfAbsent(redis.get(i).instance(), i);
            if (earlier != null) {
                throw new ConfigException("redis[" + earlier + "] and redis[" + i + "] are both instance '"
                        + redis.get(i).instance() + "' (loopback URLs are named after this host and the port);"
                        + " give each a distinct 'name', or remove the duplicate");
            }
        }
        return this;
    }

    /** Splits {@code host:port} (IPv6 as {@code [::1]:7400}); the error names the key. */
    public static HostPort parseHostPort(String text, String key) {
        String t = text == null ? "" : text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new ConfigException(key + ": '" + text + "' must be host:port, e.g. 127.0.0.1:7400");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": port in '" + text + "' is not a number");
        }
        if (port < 1 || port > 65535) throw new ConfigException(key + ": port " + port + " is out of range 1-65535");
        return new HostPort(host, port);
    }

    public record HostPort(String host, int port) {}
}
