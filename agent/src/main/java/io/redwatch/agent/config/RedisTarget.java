package io.redwatch.agent.config;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One Redis instance to watch.
 *
 * @param url       {@code redis://host:port} (or {@code rediss://}); a password in the URL is accepted
 *                  but {@link #redactedUrl()} is what gets logged
 * @param instance  the name everything about this instance is stored under, {@code host:port}
 * @param machine   the host the instance runs on, as named in host facts: this agent's host name for
 *                  a Redis on loopback, else the URL's host
 * @param logFile   the instance's redis.log, or null when it is not tailed
 * @param logOwner  a user (name or uid) whose redis.log is read besides the Redis process's own
 *                  user, or empty
 */
public record RedisTarget(
        String url,
        String instance,
        String machine,
        String host,
        int port,
        String username,
        Secret password,
        Path logFile,
        Duration connectTimeout,
        Duration commandTimeout,
        String logOwner) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /**
     * @param name   the configured instance name, or empty for the default: the agent's host name and
     *               the port when Redis listens on loopback (so instances from many hosts stay apart),
     *               else the URL's host and port
     */
    public static RedisTarget of(
            String url,
            String name,
            String hostname,
            String username,
            Secret password,
            Path logFile,
            Duration connectTimeout,
            Duration commandTimeout,
            String key) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException(key + ".url: '" + redact(url) + "' is not a URL; write redis://host:port");
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new ConfigException(key + ".url: '" + redact(url) + "' must start with redis:// or rediss://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ConfigException(key + ".url: '" + redact(url) + "' has no host; write redis://host:port");
        }
        int port = uri.getPort() == -1 ? 6379 : uri.getPort();
        String machine = isLoopback(host) ? hostname : host;
        String instance = name == null || name.isBlank() ? machine + ":" + port : name;
        return new RedisTarget(
                url,
                instance,
                machine,
                host,
                port,
                username == null ? "" : username,
                password == null ? Secret.none() : password,
                logFile,
                connectTimeout,
                commandTimeout,
                "");
    }

    /** The same target, whose log may also be owned by {@code owner} (validated by the loader). */
    public RedisTarget withLogOwner(String owner) {
        return new RedisTarget(
                url,
                instance,
                machine,
                host,
                port,
                username,
                password,
                logFile,
                connectTimeout,
                commandTimeout,
                owner == null ? "" : owner.trim());
    }

    public static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    public String redactedUrl() {
        return redact(url);
    }

    static String redact(String url) {
        if (url == null) return "";
        // The last '@': operators paste passwords unencoded, and "p@ss" must not print as "****@ss@host".
        int at = url.lastIndexOf('@');
        int scheme = url.indexOf("://");
        if (at < 0 || scheme < 0 || at < scheme) return url;
        return url.substring(0, scheme + 3) + "****@" + url.substring(at + 1);
    }

    /** A record would print every component, the URL's password included; this one never does. */
    @Override
    public String toString() {
        return "RedisTarget[" + instance + " " + redactedUrl() + (username.isEmpty() ? "" : " user " + username)
                + " password " + password + (logFile == null ? "" : " log " + logFile)
                + (logOwner.isEmpty() ? "" : " owned by " + logOwner)
                + " timeouts " + connectTimeout.toMillis() + "/" + commandTimeout.toMillis() + " ms]";
    }
}
