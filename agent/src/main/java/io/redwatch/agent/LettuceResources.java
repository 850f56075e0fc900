package io.redwatch.agent;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

/**
 * Lettuce's shared resources, cut to what an agent sampling a few instances every few seconds needs:
 * one I/O and one computation thread, no latency recorder and no JFR events (together ~100 classes
 * and a histogram per command that nobody reads).
 */
final class LettuceResources {
    private LettuceResources() {
    }

    static ClientResources small() {
        // Read by Lettuce once, when its event recorder class loads; must be set before that.
        System.setProperty("io.lettuce.core.jfr", "false");
        return DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled()).build();
    }
}
