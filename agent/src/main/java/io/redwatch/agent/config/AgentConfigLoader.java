package io.redwatch.agent.config;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import io.redwatch.common.config.YamlNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds an {@link AgentConfig} from an optional YAML file and command-line overrides; flags win.
 * The quick start runs on flags alone ({@code --collector --redis --log-file --interval --state-dir}).
 */
public final class AgentConfigLoader {
    private static final Set<String> COLLECTOR_KEYS = Set.of("address", "token_file", "token_env", "tls");
    private static final Set<String> TLS_KEYS = Set.of("enabled", "ca_file", "cert_file", "key_file", "server_name");
    private static final Set<String> REDIS_KEYS = Set.of(
            "url",
            "name",
            "username",
            "password_file",
            "password_env",
            "log_file",
            "log_owner",
            "connect_timeout",
            "command_timeout");

    /** Command-line values; null means "not given". */
    public record Overrides(
            String collector, String redisUrl, Path logFile, Duration interval, Path stateDir, String agentId) {
        public static Overrides none() {
            return new Overrides(null, null, null, null, null, null);
        }
    }

    private AgentConfigLoader() {}

    public static AgentConfig load(Path file, Overrides flags, String hostname) {
        return load(file, flags, hostname, DefaultAgentId.MACHINE_ID_FILES);
    }

    /** @param machineIdFiles where the default agent id's machine id is read (tests point elsewhere) */
    public static AgentConfig load(Path file, Overrides flags, String hostname, List<Path> machineIdFiles) {
        YamlNode root = file == null ? null : YamlNode.load(file, new BlockYamlParser());
        if (root != null) root.allowOnly(AgentConfig.TOP_KEYS);

        String agentId = pick(flags.agentId(), root == null ? "" : root.string("agent_id", ""));
        if (agentId.isBlank()) agentId = DefaultAgentId.of(hostname, machineIdFiles);

        YamlNode collector = root == null ? null : root.child("collector");
        if (collector != null) collector.allowOnly(COLLECTOR_KEYS);
        String address = pick(
                flags.collector(),
                collector == null
                        ? AgentConfig.DEFAULT_COLLECTOR
                        : collector.string("address", AgentConfig.DEFAULT_COLLECTOR));
        Secret token = collector == null ? Secret.none() : secret(collector, "token_file", "token_env", file);
        CollectorTls tls =
                collector == null || !collector.has("tls") ? CollectorTls.off() : tls(collector.child("tls"), file);

        Duration interval = flags.interval() != null
                ? flags.interval()
                : root == null ? AgentConfig.DEFAULT_INTERVAL : root.duration("interval", AgentConfig.DEFAULT_INTERVAL);
        Duration configInterval = root == null
                ? AgentConfig.DEFAULT_CONFIG_INTERVAL
                : root.duration("config_interval", AgentConfig.DEFAULT_CONFIG_INTERVAL);
        Duration defaultPoll = interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1);
        Duration logPoll = root == null ? defaultPoll : root.duration("log_poll_interval", defaultPoll);
        Path stateDir = flags.stateDir() != null
                ? flags.stateDir()
                : root == null
                        ? AgentConfig.DEFAULT_STATE_DIR
                        : Path.of(root.string("state_dir", AgentConfig.DEFAULT_STATE_DIR.toString()));
        Path procRoot = Path.of(root == null ? "/proc" : root.string("proc_root", "/proc"));
        Path sysRoot = Path.of(root == null ? "/sys" : root.string("sys_root", "/sys"));

        List<RedisTarget> redis = new ArrayList<>();
        if (flags.redisUrl() != null) {
            // The flag replaces the file's list: the quick start watches exactly what it was told to.
            redis.add(RedisTarget.of(
                    flags.redisUrl(),
                    "",
                    hostname,
                    "",
                    Secret.none(),
                    flags.logFile(),
                    RedisTarget.DEFAULT_TIMEOUT,
                    RedisTarget.DEFAULT_TIMEOUT,
                    "--redis"));
        } else if (root != null) {
            if (flags.logFile() != null && root.children("redis").size() != 1) {
                throw new ConfigException("--log-file names one log but the config lists "
                        + root.children("redis").size()
                        + " Redis instances; set log_file in each redis entry instead, or add --redis");
            }
            for (YamlNode r : root.children("redis")) {
                r.allowOnly(REDIS_KEYS);
                if (!r.has("url"))
                    throw new ConfigException(r.path() + ".url is required, e.g. redis://127.0.0.1:6379");
                String log = r.string("log_file", "");
                Path logFile = flags.logFile() != null ? flags.logFile() : log.isBlank() ? null : Path.of(log);
                redis.add(RedisTarget.of(
                                r.string("url", ""),
                                r.string("name", ""),
                                hostname,
                                r.string("username", ""),
                                secret(r, "password_file", "password_env", file),
                                logFile,
                                r.duration("connect_timeout", RedisTarget.DEFAULT_TIMEOUT),
                                r.duration("command_timeout", RedisTarget.DEFAULT_TIMEOUT),
                                r.path())
                        .withLogOwner(logOwner(r)));
            }
        }
        long spoolMaxBytes = root == null || !root.has("spool_max_bytes")
                ? AgentConfig.DEFAULT_SPOOL_MAX_BYTES
                : byteSize(root.string("spool_max_bytes", ""), "spool_max_bytes");
        return new AgentConfig(
                        agentId,
                        hostname,
                        address,
                        token,
                        interval,
                        configInterval,
                        logPoll,
                        stateDir,
                        procRoot,
                        sysRoot,
                        List.copyOf(redis),
                        spoolMaxBytes,
                        tls)
                .validate();
    }

    /** A uid, or the name of a user this machine knows: a misspelt owner would refuse the log for good. */
    private static String logOwner(YamlNode r) {
        String owner = r.string("log_owner", "").trim();
        if (owner.isEmpty() || owner.chars().allMatch(Character::isDigit)) return owner;
        try {
            java.nio.file.FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(owner);
            return owner;
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            throw new ConfigException(r.path() + ".log_owner: no user '" + owner + "' on this host; give the user "
                    + "that writes the log (ls -l of the file shows it) or its numeric uid");
        } catch (java.io.IOException e) {
            throw new ConfigException(r.path() + ".log_owner: cannot look up user '" + owner + "': " + e.getMessage());
        }
    }

    /** {@code 268435456}, {@code 512KB}, {@code 256MB}, {@code 2GB} (binary multiples: 1KB = 1024 bytes). */
    static long byteSize(String text, String key) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
        int shift = switch (t.substring(i).trim()) {
            case "", "B" -> 0;
            case "KB", "K", "KIB" -> 10;
            case "MB", "M", "MIB" -> 20;
            case "GB", "G", "GIB" -> 30;
            default -> -1;
        };
        if (i == 0 || shift < 0) {
            throw new ConfigException(
                    key + ": '" + text + "' is not a size; write e.g. 256MB, 1GB or a number of bytes");
        }
        try {
            long n = Long.parseLong(t.substring(0, i));
            if (n > Long.MAX_VALUE >> shift) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + text + "' is too large");
        }
    }

    private static CollectorTls tls(YamlNode t, Path configFile) {
        t.allowOnly(TLS_KEYS);
        if (!t.bool("enabled", true)) return CollectorTls.off();
        Path ca = file(t, "ca_file", configFile);
        Path cert = file(t, "cert_file", configFile);
        Path key = file(t, "key_file", configFile);
        if ((cert == null) != (key == null)) {
            throw new ConfigException(
                    t.path() + ": cert_file and key_file go together (a client certificate for mutual TLS)");
        }
        String serverName = t.string("server_name", "");
        return new CollectorTls(true, ca, cert, key, serverName.isBlank() ? null : serverName);
    }

    /** A relative path is next to the config file; the file must be readable now, not at the first connect. */
    private static Path file(YamlNode node, String key, Path configFile) {
        String v = node.string(key, "");
        if (v.isBlank()) return null;
        Path dir = configFile.toAbsolutePath().getParent();
        Path p = dir == null ? Path.of(v) : dir.resolve(v);
        if (!java.nio.file.Files.isReadable(p)) {
            throw new ConfigException(node.path() + "." + key + ": cannot read " + p
                    + "; check the path and that the agent's user may read it");
        }
        return p;
    }

    /** A relative secret file is next to the config file: under systemd the working directory is /. */
    private static Secret secret(YamlNode node, String fileKey, String envKey, Path configFile) {
        String file = node.string(fileKey, "");
        String env = node.string(envKey, "");
        if (!file.isBlank() && !env.isBlank()) {
            throw new ConfigException(node.path() + ": give either " + fileKey + " or " + envKey + ", not both");
        }
        if (!file.isBlank()) {
            Path dir = configFile.toAbsolutePath().getParent();
            return Secret.fromFile(dir == null ? Path.of(file) : dir.resolve(file), node.path() + "." + fileKey);
        }
        if (!env.isBlank()) return Secret.fromEnv(env, node.path() + "." + envKey);
        return Secret.none();
    }

    private static String pick(String flag, String fromFile) {
        return flag != null ? flag : fromFile;
    }
}
