package io.redwatch.agent.sampling;

import io.lettuce.core.RedisAsyncCommandsImpl;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisReactiveCommandsImpl;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.protocol.PushHandler;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

/**
 * A RedisClient whose connections only dispatch commands (see RedisCalls). Lettuce's connection
 * builds its async API, a sync proxy over it and the reactive API as soon as it connects, although
 * the agent sends four commands. Those are the largest classes in Lettuce (~400 methods each, the
 * sync one a generated proxy with a Method per command) and the interfaces behind them; the reactive
 * one also pulls in Reactor's operators. Without them the agent holds 7.7 MB less (docs/benchmarks.md).
 * Connecting, the handshake (AUTH),
 * timeouts and the error replies are Lettuce's, unchanged.
 */
final class DispatchOnlyRedisClient extends RedisClient {
    DispatchOnlyRedisClient(ClientResources resources) {
        super(resources, new RedisURI());
    }

    @Override
    protected <K, V> StatefulRedisConnectionImpl<K, V> newStatefulRedisConnection(
            RedisChannelWriter writer, PushHandler pushHandler, RedisCodec<K, V> codec, Duration timeout) {
        return new Connection<>(writer, pushHandler, codec, timeout);
    }

    /** sync(), async() and reactive() return null on it: use dispatch(). */
    private static final class Connection<K, V> extends StatefulRedisConnectionImpl<K, V> {
        Connection(RedisChannelWriter writer, PushHandler pushHandler, RedisCodec<K, V> codec, Duration timeout) {
            super(writer, pushHandler, codec, timeout);
        }

        @Override
        protected RedisAsyncCommandsImpl<K, V> newRedisAsyncCommandsImpl() {
            return null;
        }

        @Override
        protected RedisCommands<K, V> newRedisSyncCommandsImpl() {
            return null;
        }

        @Override
        protected RedisReactiveCommandsImpl<K, V> newRedisReactiveCommandsImpl() {
            return null;
        }
    }
}
