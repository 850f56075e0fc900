package io.redwatch.agent;

import io.lettuce.core.event.Event;
import io.lettuce.core.event.EventBus;
import reactor.core.publisher.Flux;

/**
 * Lettuce publishes connection and latency events on an event bus that nobody in the agent
 * subscribes to; its default bus is a Reactor sink on a Reactor scheduler, loaded for nothing (2.3 MB
 * resident, docs/benchmarks.md). The agent logs connection problems itself (RedisSampler).
 */
final class SilentEventBus implements EventBus {
    @Override
    public Flux<Event> get() {
        return Flux.empty();
    }

    @Override
    public void publish(Event event) {
        // no subscribers
    }
}
