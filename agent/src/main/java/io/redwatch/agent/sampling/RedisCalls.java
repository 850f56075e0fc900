package io.redwatch.agent.sampling;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The commands the agent sends, dispatched on a connection the way Lettuce's sync API does it
 * (an AsyncCommand awaited with the command timeout), with the same outputs, so replies and
 * exceptions (RedisCommandExecutionException, RedisCommandTimeoutException) are the ones the sync
 * API gave; without building that API (DispatchOnlyRedisClient).
 */
final class RedisCalls {
    private final StatefulRedisConnection<String, String> connection;
    private final Duration timeout;

    RedisCalls(StatefulRedisConnection<String, String> connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    String info(String section) {
        return call(CommandType.INFO, new StatusOutput<>(StringCodec.UTF8), args().add(section));
    }

    String info() {
        return call(CommandType.INFO, new StatusOutput<>(StringCodec.UTF8), null);
    }

    /** AUTH password, or AUTH username password (Redis 6 ACL users). */
    String auth(String username, String password) {
        CommandArgs<String, String> args = args();
        if (!username.isEmpty()) {
            args.add(username);
        }
        return call(CommandType.AUTH, new StatusOutput<>(StringCodec.UTF8), args.add(password));
    }

    String ping() {
        return call(CommandType.PING, new StatusOutput<>(StringCodec.UTF8), null);
    }

    Map<String, String> configGet(String parameter) {
        return call(
                CommandType.CONFIG,
                new MapOutput<>(StringCodec.UTF8),
                args().add(CommandType.GET).add(parameter));
    }

    private static CommandArgs<String, String> args() {
        return new CommandArgs<>(StringCodec.UTF8);
    }

    private <T> T call(CommandType type, CommandOutput<String, String, T> output, CommandArgs<String, String> args) {
        AsyncCommand<String, String, T> command = new AsyncCommand<>(new Command<>(type, output, args));
        RedisCommand<String, String, T> dispatched = connection.dispatch(command);
        // A connection may wrap the command (as Lettuce's own API allows for); await what it returned.
        AsyncCommand<String, String, T> awaited = dispatched instanceof AsyncCommand<String, String, T> a ? a : command;
        return LettuceFutures.awaitOrCancel(awaited, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
