package io.redwatch.collector.config;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import io.redwatch.common.config.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * How the collector protects itself: TLS on the agents' port (and HTTPS with the same certificate),
 * per-agent tokens, the HTTP API's bearer token, and whether it may run exposed without them.
 *
 * @param tls                 null: plaintext
 * @param agentTokensRequired every hello must carry a valid token of its agent id
 * @param apiToken            none: the API under /api is open (only allowed on loopback)
 * @param insecure            the operator accepts a non-loopback bind without TLS or tokens
 */
public record SecurityConfig(Tls tls, boolean agentTokensRequired, Secret apiToken, boolean insecure) {

    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_ca_file");
    private static final Set<String> AUTH_KEYS = Set.of("agent_tokens");
    private static final Set<String> HTTP_KEYS = Set.of("api_token_file");

    /** PEM files: the server's certificate chain, its PKCS#8 key, and (mutual TLS) the CA agents' certificates must chain to. */
    public record Tls(Path certFile, Path keyFile, Path clientCaFile) {
        public boolean mutual() {
            return clientCaFile != null;
        }
    }

    /** Loopback, no flags: plaintext, no tokens (the quick start). */
    public static SecurityConfig open() {
        return new SecurityConfig(null, false, Secret.none(), false);
    }

    /**
     * Reads {@code tls}, {@code auth}, {@code http} and {@code insecure}. {@code agent_tokens} defaults
     * to {@code required} unless the collector binds a loopback address, where it defaults to {@code off}.
     */
    static SecurityConfig from(YamlNode root, Path configFile, boolean loopback, Boolean insecureFlag) {
        Tls tls = null;
        if (root != null && root.has("tls")) {
            YamlNode t = root.child("tls");
            t.allowOnly(TLS_KEYS);
            tls = new Tls(
                    file(t, "cert_file", configFile, true),
                    file(t, "key_file", configFile, true),
                    file(t, "client_ca_file", configFile, false));
        }
        boolean tokens = !loopback;
        if (root != null && root.has("auth")) {
            YamlNode a = root.child("auth");
            a.allowOnly(AUTH_KEYS);
            String mode = a.string("agent_tokens", tokens ? "required" : "off");
            tokens = switch (mode) {
                case "required" -> true;
                case "off", "false" -> false; // YAML 1.1 reads a bare off as the boolean false
                default -> throw new ConfigException("auth.agent_tokens must be required or off, got '" + mode + "'");
            };
        }
        Secret apiToken = Secret.none();
        if (root != null && root.has("http")) {
            YamlNode h = root.child("http");
            h.allowOnly(HTTP_KEYS);
            Path f = file(h, "api_token_file", configFile, false);
            if (f != null) {
                apiToken = Secret.fromFile(f, "http.api_token_file");
                if (apiToken.reveal().length() < 16) {
                    throw new ConfigException("http.api_token_file: the token in " + f + " is "
                            + apiToken.reveal().length()
                            + " characters long; use at least 16 random characters, e.g. `openssl rand -base64 32`");
                }
            }
        }
        boolean insecure = insecureFlag != null ? insecureFlag : root != null && root.bool("insecure", false);
        return new SecurityConfig(tls, tokens, apiToken, insecure);
    }

    /** A relative path is next to the config file: under systemd the working directory is /. */
    private static Path file(YamlNode node, String key, Path configFile, boolean required) {
        String v = node.string(key, "");
        if (v.isBlank()) {
            if (required)
                throw new ConfigException(node.path() + "." + key + " is required when " + node.path() + " is given");
            return null;
        }
        Path p = Path.of(v);
        Path dir = configFile == null ? null : configFile.toAbsolutePath().getParent();
        if (!p.isAbsolute() && dir != null) p = dir.resolve(p);
        if (!Files.isReadable(p)) {
            throw new ConfigException(node.path() + "." + key + ": cannot read " + p
                    + "; check the path and that the collector's user may read it");
        }
        return p;
    }

    /**
     * What is missing for the collector to listen on a non-loopback address, as config to add;
     * empty when nothing is.
     */
    public java.util.List<String> missingForExposure() {
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (tls == null) missing.add("tls: {cert_file: server.crt, key_file: server.key}  (TLS for agents and HTTP)");
        if (!agentTokensRequired)
            missing.add(
                    "auth: {agent_tokens: required}  (then `redwatch-collector token create --agent-id ID` per agent)");
        if (!apiToken.isPresent())
            missing.add("http: {api_token_file: api.token}  (a file holding a random token for the HTTP API)");
        return missing;
    }
}
