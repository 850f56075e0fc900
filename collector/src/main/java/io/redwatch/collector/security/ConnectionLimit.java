package io.redwatch.collector.security;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts connections per remote address and in all. A filter cannot close a connection, so one past
 * a limit is marked, and the ingest call authenticator refuses every call on it before reading
 * anything; with no call open, the server's idle limit then closes it. Its agent keeps spooling and
 * tries again with backoff.
 *
 * <p>The limit in all is what keeps the collector's direct memory bounded: every connection may hold
 * an HTTP/2 window and a read buffer of agent bytes not yet asked for (see {@link IngestLimits}).
 */
public final class ConnectionLimit extends ServerTransportFilter {
    /** Why a connection past a limit is refused: what its agent is told, and what the operator reads. */
    public record Excess(String toAgent, String toOperator) {}

    /** Set on a connection past a limit; the ingest call authenticator refuses every call on it. */
    public static final Attributes.Key<Excess> OVER_LIMIT = Attributes.Key.create("redwatch.overConnectionLimit");

    private static final Attributes.Key<InetAddress> COUNTED = Attributes.Key.create("redwatch.countedAddress");

    private final int perAddress;
    private final int inAll;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final AtomicInteger openInAll = new AtomicInteger();

    public ConnectionLimit(int perAddress, int inAll) {
        this.perAddress = perAddress;
        this.inAll = inAll;
    }

    @Override
    public Attributes transportReady(Attributes attrs) {
        SocketAddress remote = attrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) return attrs;
        InetAddress address = inet.getAddress();
        int count = open.merge(address, 1, Integer::sum);
        int all = openInAll.incrementAndGet();
        Attributes.Builder b = attrs.toBuilder().set(COUNTED, address);
        String peer = address.getHostAddress();
        if (count > perAddress) {
            b.set(
                    OVER_LIMIT,
                    new Excess(
                            "too many connections from " + peer + " (limit " + perAddress + ")",
                            "that address holds more than " + perAddress + " connections to this collector. A redwatch"
                                    + " agent holds one; behind a TCP load balancer that hides agents' addresses, raise"
                                    + " connections_per_address"));
        } else if (all > inAll) {
            b.set(
                    OVER_LIMIT,
                    new Excess(
                            "this collector is full (" + inAll + " connections); keep spooling and try again later",
                            "this collector holds " + inAll + " agent connections, as many as its direct memory"
                                    + " allows (" + IngestLimits.CONNECTION_DIRECT_BYTES / 1024 + " KiB each); the"
                                    + " agent spools and retries. Add a collector behind the load balancer, or raise"
                                    + " -XX:MaxDirectMemorySize in the collector's unit"));
        }
        return b.build();
    }

    @Override
    public void transportTerminated(Attributes attrs) {
        InetAddress address = attrs.get(COUNTED);
        if (address == null) return;
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        openInAll.decrementAndGet();
    }
}
