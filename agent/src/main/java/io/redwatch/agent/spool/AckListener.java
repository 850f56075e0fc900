package io.redwatch.agent.spool;

import io.redwatch.proto.v1.Batch;

/** Told about each batch once the collector has committed it; log positions are saved from here. */
@FunctionalInterface
public interface AckListener {
    void acknowledged(Batch batch);
}
