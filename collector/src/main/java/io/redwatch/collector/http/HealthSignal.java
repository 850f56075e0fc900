package io.redwatch.collector.http;

import java.util.Optional;

/**
 * Something besides the database that makes the collector unhealthy, e.g. batches it had to set
 * aside ("dead-lettered batches: 3"). {@code /health} asks every signal and reports each problem.
 * The text is shown to anyone who can reach {@code /health}: a count or a state, never credentials,
 * host names or an error message from a library.
 */
@FunctionalInterface
public interface HealthSignal {
    /** The problem now, in a few words, or empty when all is well. Called on a worker thread; may block briefly. */
    Optional<String> problem();
}
