package io.redwatch.agent.sampling;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.PingResult;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads INFO, PING and CONFIG from one Redis instance over one kept connection.
 *
 * <p>It never reconnects behind the caller's back (Lettuce's auto-reconnect is off): a sample on a
 * dead connection reconnects once, so a failure is reported with its real cause ("connection
 * refused", "WRONGPASS ...") instead of Lettuce's generic "currently not connected". Not thread-safe:
 * one sampling thread owns it.
 */
public final class RedisSampler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RedisSampler.class.getName());

    /** The parameters the incidents need (docs/incidents.md), read every config interval. */
    public static final List<String> CONFIG_PARAMETERS = List.of(
            "maxmemory",
            "maxmemory-policy",
            "maxclients",
            "save",
            "appendonly",
            "stop-writes-on-bgsave-error",
            "client-output-buffer-limit",
            "repl-backlog-size",
            "repl-diskless-sync",
            "tcp-backlog",
            "dir",
            "dbfilename",
            "logfile");

    private final RedisTarget target;
    private final InstanceRef ref;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCalls calls;
    private String lastConnectProblem = "";

    public RedisSampler(RedisTarget target, ClientResources resources) {
        this.target = target;
        this.ref = InstanceRef.newBuilder()
                .setInstance(target.instance())
                .setHost(target.machine())
                .setPort(target.port())
                .build();
        this.client = new DispatchOnlyRedisClient(resources);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                // Lettuce PINGs during its handshake by default; a server answering MISCONF or LOADING
                // would then fail to connect, and its exact reply would be lost as a connect failure.
                .pingBeforeActivateConnection(false)
                .protocolVersion(ProtocolVersion.RESP2) // no HELLO: works on every Redis from 2.x on
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(target.connectTimeout())
                        .keepAlive(true)
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(target.commandTimeout()))
                .build());
    }

    public InstanceRef ref() {
        return ref;
    }

    public RedisTarget target() {
        return target;
    }

    /** INFO everything (Redis 7), falling back to INFO all and plain INFO on servers that answer empty. */
    public InfoSample info(long tsMs) {
        try {
            RedisCalls redis = commands();
            String source = "everything";
            String text = redis.info("everything");
            if (text == null || text.isBlank()) {
                source = "all";
                text = redis.info("all");
            }
            if (text == null || text.isBlank()) {
                source = "default";
                text = redis.info();
            }
            return InfoParser.parse(text, ref, tsMs, source);
        } catch (RuntimeException e) {
            Failure f = classify(e);
            return InfoSample.newBuilder()
                    .setRef(ref)
                    .setTsMs(tsMs)
                    .setError(f.text())
                    .build();
        }
    }

    public PingResult ping(long tsMs) {
        long start = System.nanoTime();
        PingResult.Builder b = PingResult.newBuilder().setRef(ref).setTsMs(tsMs);
        try {
            String reply = commands().ping();
            return b.setOutcome(PingResult.Outcome.PONG)
                    .setReply(reply)
                    .setLatencyUs((System.nanoTime() - start) / 1000)
                    .build();
        } catch (RuntimeException e) {
            Failure f = classify(e);
            return b.setOutcome(f.outcome())
                    .setReply(f.text())
                    .setLatencyUs((System.nanoTime() - start) / 1000)
                    .build();
        }
    }

    /**
     * CONFIG GET of {@link #CONFIG_PARAMETERS}, one by one so that Redis versions lacking a
     * parameter still answer the others. CONFIG may be renamed away or forbidden by an ACL; then
     * every parameter is listed as unavailable with the server's exact answer, and sampling goes on.
     */
    public ConfigSnapshot config(long tsMs) {
        ConfigSnapshot.Builder b = ConfigSnapshot.newBuilder().setRef(ref).setTsMs(tsMs);
        String commandProblem = null;
        for (String p : CONFIG_PARAMETERS) {
            if (commandProblem != null) {
                b.addUnavailable(ConfigValue.newBuilder().setKey(p).setValue(commandProblem));
                continue;
            }
            try {
                Map<String, String> values = commands().configGet(p);
                String v = values.get(p);
                if (v == null) {
                    b.addUnavailable(
                            ConfigValue.newBuilder().setKey(p).setValue("not supported by this Redis version"));
                } else {
                    b.addValues(ConfigValue.newBuilder().setKey(p).setValue(v));
                }
            } catch (RedisCommandExecutionException e) {
                // "ERR unknown command 'CONFIG'" (renamed) or "NOPERM ..." (ACL) hold for every parameter.
                commandProblem = "CONFIG GET refused: " + e.getMessage();
                b.addUnavailable(ConfigValue.newBuilder().setKey(p).setValue(commandProblem));
            } catch (RuntimeException e) {
                commandProblem = classify(e).text();
                b.addUnavailable(ConfigValue.newBuilder().setKey(p).setValue(commandProblem));
            }
        }
        return b.build();
    }

    private RedisCalls commands() {
        if (connection == null || !connection.isOpen()) {
            closeConnection();
            RedisURI uri = RedisURI.create(target.url());
            uri.setTimeout(target.commandTimeout());
            Credentials credentials = credentials(uri);
            // AUTH is sent as an ordinary command, not in Lettuce's handshake: a refused handshake
            // closes the channel, and when that close wins the race the caller sees "connection
            // closed" instead of the server's WRONGPASS reply.
            uri.setCredentialsProvider(new StaticCredentialsProvider(RedisCredentials.just(null, (CharSequence) null)));
            try {
                connection = client.connect(uri);
                calls = new RedisCalls(connection, target.commandTimeout());
                if (credentials != null) {
                    authenticate(credentials);
                }
                if (!lastConnectProblem.isEmpty()) {
                    LOG.info(() -> "redis " + target.instance() + ": connected again after: " + lastConnectProblem);
                    lastConnectProblem = "";
                }
            } catch (RuntimeException e) {
                String problem = classify(e).text();
                if (!problem.equals(lastConnectProblem)) {
                    // Once per distinct problem: a down Redis must not fill the agent's log every second.
                    LOG.warning(
                            "redis " + target.instance() + " (" + target.redactedUrl() + "): cannot connect: " + problem
                                    + "; retrying every sample. Check that redis-server runs and the URL and password are right.");
                    lastConnectProblem = problem;
                }
                throw e;
            }
        }
        return calls;
    }

    private record Credentials(String username, String password) {}

    /** The configured password, else one written in the URL; null when there is none. */
    private Credentials credentials(RedisURI uri) {
        if (target.password().isPresent()) {
            return new Credentials(target.username(), target.password().reveal());
        }
        char[] inUrl = uri.getPassword();
        if (inUrl == null || inUrl.length == 0) {
            return null;
        }
        String user = target.username().isEmpty() && uri.getUsername() != null ? uri.getUsername() : target.username();
        return new Credentials(user, new String(inUrl));
    }

    private void authenticate(Credentials credentials) {
        try {
            calls.auth(credentials.username(), credentials.password());
        } catch (RuntimeException e) {
            closeConnection(); // an unauthenticated connection answers nothing but NOAUTH
            throw e;
        }
    }

    record Failure(PingResult.Outcome outcome, String text) {}

    /** Names a failure the way an operator would: the server's own reply, or what went wrong on the wire. */
    Failure classify(Throwable e) {
        if (e instanceof RedisCommandTimeoutException) {
            // The connection stays: Lettuce keeps a timed-out command on its stack, so the late reply
            // is matched to it, not to the next command; reconnecting to a stalled server gains nothing.
            return new Failure(
                    PingResult.Outcome.TIMEOUT,
                    "timeout after " + target.commandTimeout().toMillis() + " ms");
        }
        if (e instanceof RedisCommandExecutionException) {
            String msg = String.valueOf(e.getMessage());
            boolean auth =
                    msg.startsWith("NOAUTH") || msg.startsWith("WRONGPASS") || msg.startsWith("ERR invalid password");
            return new Failure(auth ? PingResult.Outcome.AUTH_FAILED : PingResult.Outcome.ERROR_REPLY, msg);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RedisCommandTimeoutException) {
                // A stalled server accepts the TCP connection (the kernel does) and then never answers
                // the connection handshake: that is the same timeout, not a failure to connect.
                return classify(c);
            }
            if (c instanceof ConnectException) {
                return new Failure(PingResult.Outcome.CONNECTION_REFUSED, "connection refused");
            }
            if (c instanceof RedisCommandExecutionException rce) {
                // The server answered during the handshake (AUTH, HELLO, SELECT): it is up, and its
                // reply names the state it is in; that is not a connection failure.
                return classify(rce);
            }
        }
        if (e instanceof RedisConnectionException) {
            closeConnection();
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String detail = root == e
                    ? String.valueOf(e.getMessage())
                    : root.getClass().getSimpleName() + ": " + root.getMessage();
            return new Failure(PingResult.Outcome.CONNECT_FAILED, "cannot connect: " + detail);
        }
        LOG.log(Level.FINE, "unexpected failure talking to " + target.instance(), e);
        return new Failure(PingResult.Outcome.CONNECT_FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (RuntimeException ignored) {
                // closing a broken connection can fail; there is nothing left to release
            }
            connection = null;
            calls = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
        client.shutdown();
    }
}
