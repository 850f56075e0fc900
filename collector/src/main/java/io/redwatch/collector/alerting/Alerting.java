package io.redwatch.collector.alerting;

import io.redwatch.collector.alerting.email.EmailChannel;
import io.redwatch.collector.alerting.sms.SmsChannel;
import io.redwatch.collector.rules.Finding;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The alert pipeline, as the collector wires it: {@link #evaluate} after each batch's findings
 * (alerts and the outbox in PostgreSQL), {@link #start} for the dispatcher, {@link #queries} and
 * {@link #silences} for the HTTP API (which the http package mounts: alerting knows nothing of HTTP),
 * {@link #stop} at shutdown.
 *
 * <p>Delivery runs on a pool of its own, one thread per channel: a send waits on an SMTP server or an
 * SMS gateway for up to {@code send_timeout}, and a slow or stalled one must never hold a thread of
 * the database pool that stores batches (their acknowledgements would wait behind it, and agents
 * would stall) or of the API. A channel's loop holds only its own thread, so a stalled SMTP server
 * delays neither the SMS channel nor ingest.
 */
public final class Alerting implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Alerting.class.getName());

    private final Vertx vertx;
    private final WorkerExecutor delivery;
    private final AlertingConfig config;
    private final List<Channel> channels;
    private final AlertTracker tracker;
    private final Dispatcher dispatcher;
    private final SilenceStore silences;
    private final AlertQueries queries;
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> rerun = new ConcurrentHashMap<>();
    private final List<Long> timers = new ArrayList<>();

    public Alerting(Vertx vertx, DataSource db, AlertingConfig config) {
        this(vertx, db, config, channels(vertx, config), "collector-" + UUID.randomUUID());
    }

    /** With given channels and dispatcher id (tests run several dispatchers on one database). */
    public Alerting(Vertx vertx, DataSource db, AlertingConfig config, List<Channel> channels, String dispatcherId) {
        this.vertx = vertx;
        this.config = config;
        this.channels = List.copyOf(channels);
        // Named per dispatcher: Vert.x shares executors of one name, and tests run several dispatchers in one Vert.x.
        this.delivery = vertx.createSharedWorkerExecutor(
                "redwatch-alert-delivery-" + dispatcherId,
                Math.max(1, channels.size()),
                config.sendTimeout().toMillis() + 60_000,
                TimeUnit.MILLISECONDS);
        Map<String, List<String>> recipients = new HashMap<>();
        for (Channel c : channels) recipients.put(c.name(), c.recipients());
        this.tracker = new AlertTracker(db, config, recipients);
        this.dispatcher = new Dispatcher(db, channels, config, dispatcherId);
        this.silences = new SilenceStore(db);
        this.queries = new AlertQueries(db);
    }

    /** The channels the configuration names, ready to send. */
    public static List<Channel> channels(Vertx vertx, AlertingConfig config) {
        List<Channel> out = new ArrayList<>();
        if (config.email() != null) {
            out.add(new EmailChannel(vertx, config.email(), config.timezone(), config.sendTimeout()));
        }
        if (config.sms() != null) out.add(new SmsChannel(config.sms(), config.timezone(), config.sendTimeout()));
        return out;
    }

    /**
     * Records one evaluation of an instance: {@code findings} is everything the rules find on it
     * now (an empty list when all is well). Blocking (JDBC): call it on a worker thread.
     */
    public AlertTracker.Evaluation evaluate(String instance, String host, List<Finding> findings, long nowMs) {
        AlertTracker.Evaluation e = tracker.evaluate(instance, host, findings, nowMs);
        if (e.notificationsQueued() > 0) wakeWhenDue();
        return e;
    }

    /**
     * A page must not wait for the next dispatch tick: once notifications are written, the
     * dispatcher runs when they are due (at once, or after group_wait). The periodic tick stays for
     * retries and for what other collectors wrote.
     */
    private void wakeWhenDue() {
        synchronized (this) {
            if (timers.isEmpty()) return; // not started (tests drive dispatchOnce themselves)
        }
        long waitMs = config.groupWait().toMillis();
        if (waitMs <= 0) {
            dispatchAll();
        } else {
            vertx.setTimer(waitMs, t -> dispatchAll());
        }
    }

    private void dispatchAll() {
        for (Channel c : channels) tick(c.name());
    }

    /** Starts the dispatcher: every dispatch_interval, each channel sends what is due. */
    public synchronized void start() {
        for (Channel c : channels) {
            running.computeIfAbsent(c.name(), k -> new AtomicBoolean());
            rerun.computeIfAbsent(c.name(), k -> new AtomicBoolean());
            timers.add(vertx.setPeriodic(config.dispatchInterval().toMillis(), t -> tick(c.name())));
        }
    }

    private void tick(String channel) {
        AtomicBoolean busy = running.get(channel);
        AtomicBoolean again = rerun.get(channel);
        if (busy == null || again == null) return;
        // A slow channel must not pile up ticks; a wake-up that comes while one runs makes it run
        // once more afterwards, since that run may have looked before the new rows were committed.
        if (!busy.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        delivery.executeBlocking(() -> dispatcher.dispatchOnce(channel, System.currentTimeMillis()), false)
                .onComplete(r -> {
                    busy.set(false);
                    if (again.getAndSet(false)) tick(channel);
                    if (r.failed()) {
                        LOG.log(
                                Level.WARNING,
                                "dispatching " + channel + " notifications failed (will retry in "
                                        + config.dispatchInterval().toSeconds() + " s): "
                                        + r.cause().getMessage(),
                                r.cause());
                    }
                });
    }

    /** Stops the dispatcher timers; what is claimed but unsent is sent by any collector after its lease. */
    public synchronized void stop() {
        for (long t : timers) vertx.cancelTimer(t);
        timers.clear();
    }

    /** What the API shows of alerts and instances. */
    public AlertQueries queries() {
        return queries;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public SilenceStore silences() {
        return silences;
    }

    @Override
    public void close() {
        stop();
        delivery.close();
        for (Channel c : channels) {
            if (c instanceof AutoCloseable a) {
                try {
                    a.close();
                } catch (Exception e) {
                    LOG.log(Level.FINE, "channel " + c.name() + " did not close cleanly", e);
                }
            }
        }
    }
}
