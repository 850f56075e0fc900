package io.redwatch.collector.ingest;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.redwatch.collector.security.AgentIds;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.security.ConnectionLimit;
import io.redwatch.collector.security.TokenCheck;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Authenticates an agent's call from its metadata ({@code redwatch-agent-id} and
 * {@code authorization: Bearer <token>}) before any message of it is read: the service is started,
 * and asks for its first message, only once the token checked out. A refused call is closed with
 * UNAUTHENTICATED and the reason; whatever it sent is discarded unread. Calls on a connection past
 * a connection limit are refused the same way, with RESOURCE_EXHAUSTED.
 *
 * <p>The token check reads PostgreSQL, so it runs on {@code checks}, never on a gRPC thread.
 */
public final class AgentCallAuth implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(AgentCallAuth.class.getName());
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** UTF-8 bytes: an agent id is any printable text. */
    public static final Metadata.Key<byte[]> AGENT_ID =
            Metadata.Key.of("redwatch-agent-id-bin", Metadata.BINARY_BYTE_MARSHALLER);
    /** Who the call was authenticated as; the ingest service checks the hello against it. */
    public static final Context.Key<Caller> CALLER = Context.key("redwatch.caller");

    /** @param agentId null when tokens are off and the agent sent no id header; tokenHash null when tokens are off */
    public record Caller(String agentId, byte[] tokenHash, String peer) {}

    private final AgentTokens tokens;
    private final Executor checks;
    private final IngestMetrics metrics;
    private final RefusalLog refusals;

    /** With {@code tokens} null, calls are not authenticated, only bounded. */
    public AgentCallAuth(AgentTokens tokens, Executor checks, IngestMetrics metrics, RefusalLog refusals) {
        this.tokens = tokens;
        this.checks = checks;
        this.metrics = metrics;
        this.refusals = refusals;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String peer = peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        ConnectionLimit.Excess excess = call.getAttributes().get(ConnectionLimit.OVER_LIMIT);
        if (excess != null) {
            metrics.connectionsRefused.incrementAndGet();
            refusals.log(
                    Level.WARNING,
                    peer,
                    "connections",
                    () -> "refused a call from " + peer + ": " + excess.toOperator());
            return refuse(call, Status.RESOURCE_EXHAUSTED, excess.toAgent());
        }
        byte[] idBytes = headers.get(AGENT_ID);
        String agentId = idBytes == null ? null : new String(idBytes, java.nio.charset.StandardCharsets.UTF_8);
        String idProblem = agentId == null ? null : AgentIds.problem(agentId);
        if (idProblem != null) {
            return refused(call, peer, null, "bad agent id header", idProblem, "check agent_id in the agent's config");
        }
        if (tokens == null) {
            return Contexts.interceptCall(
                    Context.current().withValue(CALLER, new Caller(agentId, null, peer)), call, headers, next);
        }
        if (agentId == null) {
            return refused(
                    call,
                    peer,
                    null,
                    "no agent id in the call metadata",
                    "no redwatch-agent-id-bin header (an agent older than this collector sends its token in the hello)",
                    "upgrade the agent");
        }
        String auth = headers.get(AUTHORIZATION);
        String token =
                auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : "";
        if (token.isEmpty()) {
            return refused(
                    call,
                    peer,
                    agentId,
                    TokenCheck.MISSING.name(),
                    TokenCheck.MISSING.reason(),
                    TokenCheck.MISSING.advice(agentId));
        }
        Pending<Q> pending = new Pending<>();
        Context context = Context.current();
        checks.execute(() -> {
            TokenCheck check;
            try {
                check = tokens.check(agentId, token, Instant.now());
            } catch (RuntimeException e) {
                refusals.log(
                        Level.WARNING,
                        "database",
                        "token check",
                        () -> "cannot check agent tokens: " + e.getMessage()
                                + "; agents are asked to retry. Check PostgreSQL (GET /health)");
                pending.start(() -> refuse(call, Status.UNAVAILABLE, "collector cannot check tokens right now; retry"));
                return;
            }
            if (check != TokenCheck.OK) {
                pending.start(() -> refused(call, peer, agentId, check.name(), check.reason(), check.advice(agentId)));
                return;
            }
            refusals.forget("agent " + agentId); // a later refusal is news again
            Caller caller = new Caller(agentId, AgentTokens.sha256(token), peer);
            pending.start(() -> Contexts.interceptCall(context.withValue(CALLER, caller), call, headers, next));
        });
        return pending;
    }

    private <Q, R> ServerCall.Listener<Q> refused(
            ServerCall<Q, R> call, String peer, String agentId, String code, String reason, String advice) {
        metrics.helloRejected.incrementAndGet();
        String who = agentId == null ? "a call from " + peer : "agent " + agentId;
        refusals.log(
                Level.WARNING,
                agentId == null ? peer : "agent " + agentId,
                code,
                () -> "refused " + who + " (from " + peer + "): " + reason + "; " + advice
                        + ". Its retries are counted in redwatch_ingest_hello_rejected_total");
        return refuse(call, Status.UNAUTHENTICATED, reason);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, String description) {
        call.close(status.withDescription(description), new Metadata());
        return new ServerCall.Listener<>() {};
    }

    static String peer(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null)
            return inet.getAddress().getHostAddress();
        return String.valueOf(remote);
    }

    /**
     * Stands in for the service's listener while the token is checked. No message can arrive (none
     * is requested before the service starts); a cancel or half-close that does is replayed.
     */
    private static final class Pending<Q> extends ServerCall.Listener<Q> {
        private ServerCall.Listener<Q> delegate;
        private List<Consumer<ServerCall.Listener<Q>>> queued = new ArrayList<>();
        private boolean cancelled;

        void start(java.util.function.Supplier<ServerCall.Listener<Q>> starter) {
            synchronized (this) {
                if (cancelled) return; // the caller left while its token was checked: nothing to start
            }
            ServerCall.Listener<Q> d = starter.get();
            synchronized (this) {
                delegate = d;
                for (Consumer<ServerCall.Listener<Q>> e : queued) e.accept(d);
                queued = null;
            }
        }

        private synchronized void on(Consumer<ServerCall.Listener<Q>> event) {
            if (delegate != null) event.accept(delegate);
            else queued.add(event);
        }

        @Override
        public void onMessage(Q message) {
            on(l -> l.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            on(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            synchronized (this) {
                if (delegate == null) cancelled = true;
            }
            on(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            on(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            on(ServerCall.Listener::onReady);
        }
    }
}
