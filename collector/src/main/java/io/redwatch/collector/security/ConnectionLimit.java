package io.redwatch.collector.security;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts connections per remote address. A filter cannot close a connection, so one past the limit
 * is marked, and the ingest call authenticator refuses every call on it before reading anything; with no call
 * open, the server's idle limit then closes it.
 */
public final class ConnectionLimit extends ServerTransportFilter {
    /** Set on a connection past the limit; the ingest call authenticator refuses every call on it. */
    public static final Attributes.Key<Boolean> OVER_LIMIT = Attributes.Key.create("redwatch.overConnectionLimit");

    private static final Attributes.Key<InetAddress> COUNTED = Attributes.Key.create("redwatch.countedAddress");

    private final int perAddress;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    public ConnectionLimit(int perAddress) {
        this.perAddress = perAddress;
    }

    @Override
    public Attributes transportReady(Attributes attrs) {
        SocketAddress remote = attrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) return attrs;
        InetAddress address = inet.getAddress();
        int count = open.merge(address, 1, Integer::sum);
        Attributes.Builder b = attrs.toBuilder().set(COUNTED, address);
        if (count > perAddress) b.set(OVER_LIMIT, Boolean.TRUE);
        return b.build();
    }

    @Override
    public void transportTerminated(Attributes attrs) {
        InetAddress address = attrs.get(COUNTED);
        if (address != null) open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    int limit() {
        return perAddress;
    }
}
