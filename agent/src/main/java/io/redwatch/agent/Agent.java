package io.redwatch.agent;

import io.lettuce.core.resource.ClientResources;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.osfacts.HostFactsReader;
import io.redwatch.agent.osfacts.ListeningPidFinder;
import io.redwatch.agent.osfacts.ProcessFactsReader;
import io.redwatch.agent.sampling.RedisSampler;
import io.redwatch.agent.selfmetrics.AgentHealth;
import io.redwatch.agent.shipping.RecordBuffer;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.spool.Spool;
import io.redwatch.agent.tailing.LogFileCheck;
import io.redwatch.agent.tailing.LogLineParser;
import io.redwatch.agent.tailing.LogTailer;
import io.redwatch.agent.tailing.TailPositionStore;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running agent: a sampling thread (INFO, PING, CONFIG, host and process facts), a tailing
 * thread (redis.log of each instance) and a shipping thread, joined by a bounded buffer. Sampling
 * and tailing never wait on the collector; a slow Redis never delays log lines.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());
    static final int BUFFER_RECORDS = 20_000;

    private final AgentConfig config;
    private final ClientResources resources;
    private final List<InstanceWatch> instances = new ArrayList<>();
    private final Map<String, LogWatch> logsByInstance = new HashMap<>();
    private final HostFactsReader hostFacts;
    private final RecordBuffer buffer = new RecordBuffer(BUFFER_RECORDS);
    private final Spool spool;
    private final Shipper shipper;
    private final ScheduledExecutorService sampling =
            Executors.newSingleThreadScheduledExecutor(r -> thread(r, "redwatch-sampling"));
    private final ScheduledExecutorService tailing =
            Executors.newSingleThreadScheduledExecutor(r -> thread(r, "redwatch-tailing"));
    private final AgentHealth health;
    private Thread shipperThread;
    private boolean logsHeldBack;
    /** Logs wait for the first sample: it finds the Redis process whose user must own them. */
    private volatile boolean sampledOnce;

    public Agent(AgentConfig config, String version, Shipper.Settings shipperSettings) {
        this.config = config;
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create state dir " + config.stateDir()
                            + ": give the agent's user write access or choose another --state-dir",
                    e);
        }
        // One I/O thread is plenty for a handful of instances sampled every few seconds.
        this.resources = LettuceResources.small();
        this.hostFacts = new HostFactsReader(config.procRoot(), config.sysRoot());
        ProcessFactsReader processFacts = new ProcessFactsReader(config.procRoot());
        ListeningPidFinder pidFinder = new ListeningPidFinder(config.procRoot());
        TailPositionStore positions = new TailPositionStore(config.stateDir());
        LogLineParser parser = new LogLineParser(ZoneId.systemDefault());
        for (RedisTarget t : config.redis()) {
            InstanceWatch w =
                    new InstanceWatch(new RedisSampler(t, resources), processFacts, pidFinder, config.procRoot());
            instances.add(w);
            if (t.logFile() != null) {
                LogFileCheck owners = LogFileCheck.ownedBy(w::processUid, t.logOwner());
                logsByInstance.put(
                        t.instance(),
                        new LogWatch(
                                w.ref(),
                                new LogTailer(
                                        t.logFile(),
                                        positions,
                                        64 * 1024,
                                        LogTailer.DEFAULT_INITIAL_BACKLOG_BYTES,
                                        owners),
                                parser));
            }
        }
        Path spoolDir = config.stateDir().resolve("spool");
        try {
            this.spool = Spool.open(spoolDir, config.spoolMaxBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the spool in " + spoolDir + " (" + e.getMessage()
                            + "): give the agent's user write access to its state dir",
                    e);
        }
        this.shipper = new Shipper(
                config.collectorAddress(),
                config.tls(),
                new Shipper.Identity(
                        config.agentId(),
                        config.hostname(),
                        version,
                        config.token().reveal(),
                        (int) config.interval().toMillis()),
                buffer,
                spool,
                this::acknowledged,
                shipperSettings);
        this.health = new AgentHealth(
                spool, instances.stream().map(w -> w.ref().getInstance()).toList());
        shipper.reportStats(() -> health.stats(System.currentTimeMillis()));
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public void start() {
        long interval = config.interval().toMillis();
        sampling.scheduleAtFixedRate(guarded("sampling", this::sampleAll), 0, interval, TimeUnit.MILLISECONDS);
        sampling.scheduleAtFixedRate(
                guarded("config", this::sampleConfig),
                0,
                config.configInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        tailing.scheduleWithFixedDelay(
                guarded("tailing", this::pollLogs), 0, config.logPollInterval().toMillis(), TimeUnit.MILLISECONDS);
        shipperThread = thread(shipper, "redwatch-shipper");
        shipperThread.start();
        LOG.info("redwatch agent " + config.agentId() + " watching " + instances.size() + " Redis instance(s) every "
                + interval + " ms, shipping to " + config.collectorAddress() + " (" + config.tls() + ")");
    }

    /** A failure in one tick is logged and the schedule goes on; an uncaught one would silently stop it. */
    private static Runnable guarded(String what, Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, what + " failed; will try again next interval", e);
            }
        };
    }

    private void sampleAll() {
        long now = System.currentTimeMillis();
        buffer.offer(Record.newBuilder()
                .setHost(hostFacts.read(config.hostname(), now))
                .build());
        for (InstanceWatch w : instances) {
            w.sample(now, r -> {
                health.sampled(r);
                buffer.offer(r);
            });
        }
        sampledOnce = true;
    }

    private void sampleConfig() {
        long now = System.currentTimeMillis();
        for (InstanceWatch w : instances) w.sampleConfig(now, buffer::offer);
    }

    /**
     * While the spool is backlogged (half full: the collector has been away a long time) log lines
     * wait in their files and are read once it drains; only samples give way when the spool
     * overflows. A log line dropped from the spool could never be read again, because the position
     * saved with a later acknowledged line would already be past it.
     */
    private void pollLogs() {
        if (!sampledOnce) return;
        boolean hold = spool.backlogged();
        if (hold != logsHeldBack) {
            logsHeldBack = hold;
            if (hold) {
                LOG.warning(
                        "spool is half full (" + config.spoolMaxBytes() / (1 << 20) + " MB budget): log lines wait in"
                                + " their files until the collector takes the backlog; samples continue");
            } else {
                LOG.info("spool drained: reading log lines again from where they were left");
            }
        }
        if (hold) return;
        for (LogWatch l : logsByInstance.values()) l.poll(buffer::offer);
    }

    private void acknowledged(Batch batch) {
        health.acknowledged(batch);
        // The last line of each instance's log in the batch carries the position to save.
        Map<String, LogEvent> last = new HashMap<>();
        for (Record r : batch.getRecordsList()) {
            if (r.hasLog()) last.put(r.getLog().getRef().getInstance(), r.getLog());
        }
        for (LogEvent e : last.values()) {
            LogWatch w = logsByInstance.get(e.getRef().getInstance());
            if (w != null) w.acknowledged(e.getFile(), e.getFileId(), e.getOffset(), e.getEndOffset());
        }
    }

    public boolean connected() {
        return shipper.connected();
    }

    @Override
    public void close() {
        sampling.shutdownNow();
        tailing.shutdownNow();
        shipper.stop();
        try {
            sampling.awaitTermination(5, TimeUnit.SECONDS);
            tailing.awaitTermination(5, TimeUnit.SECONDS);
            if (shipperThread != null) shipperThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (InstanceWatch w : instances) w.close();
        for (LogWatch l : logsByInstance.values()) l.close();
        spool.close();
        resources.shutdown();
    }
}
