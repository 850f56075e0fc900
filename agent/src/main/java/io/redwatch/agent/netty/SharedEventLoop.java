package io.redwatch.agent.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;

/**
 * The agent's one Netty I/O thread, shared by Lettuce (every Redis connection, its timeouts) and
 * grpc-netty (the collector's stream, keepalive, gRPC's own timers). Before, each library started its
 * own group: two Lettuce I/O threads, two Lettuce computation threads, Lettuce's timer and gRPC's
 * loop. A thread owns a stack, a TLAB and malloc caches; an agent that talks to a handful of
 * sockets every few seconds needs one.
 *
 * <p>Nothing run on it may block: Lettuce's and gRPC's handlers do not, and the agent's own
 * callbacks only enqueue (see Shipper). It lives as long as the process (a daemon thread that starts
 * on first use), so no agent component shuts it down while another still uses it.
 */
public final class SharedEventLoop {
    private SharedEventLoop() {}

    private static final class Holder {
        static final NioEventLoopGroup GROUP = new NioEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "redwatch-io");
            t.setDaemon(true);
            return t;
        });
    }

    public static EventLoopGroup group() {
        return Holder.GROUP;
    }
}
