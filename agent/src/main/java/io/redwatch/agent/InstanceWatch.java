package io.redwatch.agent;

import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.osfacts.ListeningPidFinder;
import io.redwatch.agent.osfacts.ProcessFactsReader;
import io.redwatch.agent.osfacts.ProcessOwner;
import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.agent.sampling.RedisSampler;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Everything sampled from one Redis instance each interval: INFO, PING and the facts of its
 * process. The process is found by INFO's {@code process_id}, or — when Redis does not answer, which
 * is exactly when its fds matter — by the process listening on its port.
 */
final class InstanceWatch implements AutoCloseable {
    private final RedisSampler sampler;
    private final ProcessFactsReader processFacts;
    private final ListeningPidFinder pidFinder;
    private final Path procRoot;
    /** Filesystem uid of the Redis process last seen, -1 before; kept while Redis is down (its log still is its own). */
    private volatile int processUid = -1;

    InstanceWatch(RedisSampler sampler, ProcessFactsReader processFacts, ListeningPidFinder pidFinder, Path procRoot) {
        this.sampler = sampler;
        this.processFacts = processFacts;
        this.pidFinder = pidFinder;
        this.procRoot = procRoot;
    }

    /** The user the Redis process runs as, once it has been found; read by the log tailer's owner check. */
    OptionalInt processUid() {
        int uid = processUid;
        return uid < 0 ? OptionalInt.empty() : OptionalInt.of(uid);
    }

    RedisTarget target() {
        return sampler.target();
    }

    InstanceRef ref() {
        return sampler.ref();
    }

    void sample(long nowMs, Consumer<Record> out) {
        InfoSample info = sampler.info(nowMs);
        out.accept(Record.newBuilder().setInfo(info).build());
        out.accept(Record.newBuilder().setPing(sampler.ping(nowMs)).build());
        ProcessFacts facts = process(info, nowMs);
        if (facts != null) {
            ProcessOwner.filesystemUid(procRoot, facts.getPid()).ifPresent(uid -> processUid = uid);
            out.accept(Record.newBuilder().setProcess(facts).build());
        }
    }

    void sampleConfig(long nowMs, Consumer<Record> out) {
        out.accept(Record.newBuilder().setConfig(sampler.config(nowMs)).build());
    }

    private ProcessFacts process(InfoSample info, long nowMs) {
        String pid = InfoParser.field(info, "process_id").orElse("");
        if (!pid.isEmpty()) {
            try {
                return processFacts.read(ref(), Integer.parseInt(pid.trim()), "info", nowMs);
            } catch (NumberFormatException e) {
                // garbage in process_id: fall back to the port
            }
        }
        if (!RedisTarget.isLoopback(target().host())) return null; // a remote Redis has no process on this host
        OptionalInt byPort = pidFinder.pidListeningOn(target().port());
        if (byPort.isPresent()) return processFacts.read(ref(), byPort.getAsInt(), "port", nowMs);
        return ProcessFacts.newBuilder()
                .setRef(ref())
                .setTsMs(nowMs)
                .setError("no process listens on port " + target().port() + " and Redis did not tell its pid")
                .build();
    }

    @Override
    public void close() {
        sampler.close();
    }
}
