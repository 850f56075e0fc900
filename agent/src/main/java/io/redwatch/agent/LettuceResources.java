package io.redwatch.agent;

import io.lettuce.core.event.DefaultEventPublisherOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoopGroup;
import io.redwatch.agent.netty.SharedEventLoop;

/**
 * Lettuce's shared resources, cut to what an agent sampling a few instances every few seconds needs:
 * no threads of Lettuce's own (its connections, computations and timeouts run on the agent's one
 * shared event loop, which gRPC uses too), no latency recorder, no JFR events and no event bus (each
 * a few hundred classes, or a histogram per command, that nobody reads). Measured in
 * docs/benchmarks.md ("Agent footprint").
 */
public final class LettuceResources {
    private LettuceResources() {}

    public static ClientResources small() {
        // Read by Lettuce once, when its event recorder class loads; must be set before that.
        System.setProperty("io.lettuce.core.jfr", "false");
        EventLoopGroup loop = SharedEventLoop.group();
        // Given from outside, the loop, executor and timer are not shut down by resources.shutdown().
        return DefaultClientResources.builder()
                .eventLoopGroupProvider(new SharedLoopProvider(loop))
                .eventExecutorGroup(loop)
                .timer(new LoopTimer(loop))
                .eventBus(new SilentEventBus())
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .commandLatencyPublisherOptions(DefaultEventPublisherOptions.disabled())
                .build();
    }
}
