package io.redwatch.agent;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Hands Lettuce the agent's shared event loop for its connections. Lettuce's own provider sizes a
 * group per transport with at least two threads (it raises {@code ioThreadPoolSize(1)} to 2); this
 * one gives the single loop that grpc-netty uses too, and never shuts it down, because the loop
 * outlives any one RedisClient (see SharedEventLoop).
 */
final class SharedLoopProvider implements EventLoopGroupProvider {
    private final EventLoopGroup loop;

    SharedLoopProvider(EventLoopGroup loop) {
        this.loop = loop;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        if (!type.isInstance(loop)) {
            // Only if a native transport (epoll, kqueue) came onto the class path: the agent ships NIO only.
            throw new IllegalStateException("the shared event loop is "
                    + loop.getClass().getSimpleName() + ", Lettuce asked for " + type.getSimpleName());
        }
        return (T) loop;
    }

    @Override
    public int threadPoolSize() {
        return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
