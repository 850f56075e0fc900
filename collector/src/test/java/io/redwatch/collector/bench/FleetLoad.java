package io.redwatch.collector.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fleet benchmark's load: N simulated agents ({@link SimulatedAgent}) against running collectors,
 * then a check of PostgreSQL against what was acknowledged and a raw COPY of the same rows. Run by
 * {@code deploy/bench/fleet.sh}, which starts the collectors and the database; not a test.
 *
 * <pre>FleetLoad AGENTS SECONDS TARGETS PIDFILES JDBC_URL [INTERVAL_MS]</pre>
 * TARGETS is host:port[,host:port] (agents split round-robin), PIDFILES the collectors' pid files
 * (comma separated, same order). Exit code 0 when every acknowledged batch is stored exactly once.
 */
public final class FleetLoad {
    private static final long REPORT_MS = 10_000;
    private static final long HEAP_EVERY_MS = 120_000;
    private static final long DRAIN_MS = 180_000;

    private FleetLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println(
                    "usage: FleetLoad AGENTS SECONDS HOST:PORT[,HOST:PORT] PIDFILE[,PIDFILE] JDBC_URL [INTERVAL_MS]");
            System.exit(2);
        }
        int agents = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        String[] targets = args[2].split(",");
        List<CollectorProbe> probes = new ArrayList<>();
        for (String f : args[3].split(",")) probes.add(new CollectorProbe(Path.of(f)));
        String jdbcUrl = args[4];
        long intervalMs = args.length > 5 ? Long.parseLong(args[5]) : 10_000;

        System.out.printf(
                Locale.ROOT,
                "fleet: %d agents, %d s, interval %d ms, %d INFO fields per sample, collectors %s%n",
                agents,
                seconds,
                intervalMs,
                FleetSample.INFO_FIELDS,
                String.join(" ", targets));
        NioEventLoopGroup loops = new NioEventLoopGroup(2);
        ExecutorService callbacks = Executors.newFixedThreadPool(2);
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        FleetStats stats = new FleetStats();
        FleetCheck check = new FleetCheck(jdbcUrl);
        long runId = System.currentTimeMillis() / 1000;
        List<SimulatedAgent> fleet = new ArrayList<>(agents);
        List<ManagedChannel> channels = new ArrayList<>(agents);
        for (int i = 0; i < agents; i++) {
            String[] hp = targets[i % targets.length].split(":");
            // one connection per agent, as in a real fleet (and so the HTTP/2 windows are per agent)
            // at most 1,000 agents per source address (127.0.0.2, .3, … all reach loopback), as agents on
            // their own hosts would: the collector allows 1,024 connections per address
            java.net.InetSocketAddress source = new java.net.InetSocketAddress("127.0.0." + (2 + i / 1000), 0);
            ManagedChannel ch = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1]))
                    .usePlaintext()
                    .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                        @Override
                        public java.net.SocketAddress createSocketAddress(
                                java.net.SocketAddress remote, io.grpc.Attributes attrs) {
                            return source;
                        }
                    })
                    .eventLoopGroup(loops)
                    .channelType(NioSocketChannel.class)
                    .executor(callbacks)
                    .keepAliveTime(30, TimeUnit.SECONDS)
                    .build();
            channels.add(ch);
            SimulatedAgent a = new SimulatedAgent(i, runId, ch, timers, stats);
            fleet.add(a);
            a.start(ThreadLocalRandom.current().nextLong(intervalMs), intervalMs);
        }

        long start = System.currentTimeMillis();
        long end = start + seconds * 1000;
        long measureFrom = start + 2 * intervalMs;
        long[] insertsAtMeasure = null;
        long ackedAtMeasure = 0;
        long lastAcked = 0;
        long lastInserts = check.rowsInserted();
        long lastHeap = start;
        double peakRowsPerS = 0;
        List<Double> rss = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> heaps = new ArrayList<>();
        System.out.println(
                "   t  connected  acked/s   rows/s   p50 ms   p99 ms  unacked  cpu%  rss MiB  (per collector)");
        while (true) {
            long now = System.currentTimeMillis();
            long next = now + REPORT_MS - (now - start) % REPORT_MS;
            Thread.sleep(Math.max(1, next - now));
            now = System.currentTimeMillis();
            // Steady state begins once the start-up storm (every agent's hello at once, and the batches
            // that queued meanwhile) is behind: all connected and almost nothing waiting for its ack.
            if (insertsAtMeasure == null
                    && now >= measureFrom
                    && stats.connectedNow() == agents
                    && total(fleet, false) <= Math.max(10, agents / 50)) {
                measureFrom = now;
                stats.startMeasuring();
                insertsAtMeasure = new long[] {check.rowsInserted(), now};
                ackedAtMeasure = total(fleet, true);
            }
            long acked = total(fleet, true);
            long inserts = check.rowsInserted();
            long[] lat = stats.takeInterval();
            double rowsPerS = (inserts - lastInserts) / (REPORT_MS / 1000.0);
            peakRowsPerS = Math.max(peakRowsPerS, rowsPerS);
            StringBuilder perCollector = new StringBuilder();
            for (CollectorProbe p : probes) {
                double c = p.cpuPercent();
                double r = p.rssMiB();
                if (insertsAtMeasure != null && !Double.isNaN(c)) cpu.add(c);
                if (!Double.isNaN(r)) rss.add(r);
                perCollector.append(String.format(Locale.ROOT, " %5.1f %8.0f", c, r));
            }
            System.out.printf(
                    Locale.ROOT,
                    "%4d %10d %8.1f %8.0f %8.1f %8.1f %8d%s%n",
                    (now - start) / 1000,
                    stats.connectedNow(),
                    (acked - lastAcked) / (REPORT_MS / 1000.0),
                    rowsPerS,
                    FleetStats.percentileMs(lat, 0.5),
                    FleetStats.percentileMs(lat, 0.99),
                    total(fleet, false),
                    perCollector);
            lastAcked = acked;
            lastInserts = inserts;
            if (now - lastHeap >= HEAP_EVERY_MS && now < end) {
                lastHeap = now;
                StringBuilder h = new StringBuilder();
                for (CollectorProbe p : probes) {
                    double heap = p.heapAfterGcMiB();
                    heaps.add(heap);
                    h.append(String.format(Locale.ROOT, " %.0f MiB", heap));
                }
                System.out.println("     heap after full GC:" + h);
            }
            if (now >= end) break;
        }
        if (insertsAtMeasure == null) {
            System.out.println("\nthe start-up backlog never cleared: no steady state to report");
            insertsAtMeasure = new long[] {check.rowsInserted(), System.currentTimeMillis()};
            ackedAtMeasure = total(fleet, true);
        }
        long measuredAcked = total(fleet, true) - ackedAtMeasure;
        long measuredRows = check.rowsInserted() - insertsAtMeasure[0];
        double measuredS = (System.currentTimeMillis() - insertsAtMeasure[1]) / 1000.0;
        fleet.forEach(SimulatedAgent::stopSampling);
        StringBuilder finalHeap = new StringBuilder();
        for (CollectorProbe p : probes) finalHeap.append(String.format(Locale.ROOT, " %.0f MiB", p.heapAfterGcMiB()));
        long drainUntil = System.currentTimeMillis() + DRAIN_MS;
        while (total(fleet, false) > 0 && System.currentTimeMillis() < drainUntil) Thread.sleep(500);
        long[] all = stats.runLatencies();
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "steady state (from %d s, when the start-up backlog had cleared; %.0f s): %.1f acked batches/s, %.0f rows/s"
                        + " (pg_stat n_tup_ins), ack latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                (measureFrom - start) / 1000,
                measuredS,
                measuredAcked / measuredS,
                measuredRows / measuredS,
                FleetStats.percentileMs(all, 0.5),
                FleetStats.percentileMs(all, 0.99),
                FleetStats.percentileMs(all, 1.0));
        System.out.printf(
                Locale.ROOT,
                "collector CPU %s %% of one core (mean of 10 s samples), RSS max %.0f MiB,"
                        + " heap after full GC: during %s, at the end%s; peak rows/s in 10 s %.0f; reconnects %d%n",
                cpu.isEmpty()
                        ? "n/a"
                        : String.format(
                                Locale.ROOT,
                                "%.1f",
                                cpu.stream().mapToDouble(d -> d).average().orElse(0)),
                rss.stream().mapToDouble(d -> d).max().orElse(Double.NaN),
                heaps,
                finalHeap,
                peakRowsPerS,
                stats.reconnects());
        long[] hellos = stats.welcomeLatencies();
        System.out.printf(
                Locale.ROOT,
                "hello -> welcome: %d answered, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                hellos.length,
                FleetStats.percentileMs(hellos, 0.5),
                FleetStats.percentileMs(hellos, 0.99),
                FleetStats.percentileMs(hellos, 1.0));
        long unacked = total(fleet, false);
        boolean exact = check.exactlyOnce(runId, fleet) && unacked == 0;
        System.out.printf(Locale.ROOT, "unacknowledged at the end: %d%n", unacked);
        System.out.println("alerts opened (each spurious: the simulated fleet is healthy), and notifications: "
                + new java.util.TreeMap<>(check.alertsOpened()));
        System.out.println(exact ? "EXACTLY ONCE: OK" : "EXACTLY ONCE: FAILED"); // before COPY: nothing may hide it
        try {
            double copyRowsPerS = check.rawCopyRowsPerSecond(runId);
            System.out.printf(
                    Locale.ROOT,
                    "raw COPY of the same rows: %.0f rows/s; end-to-end peak / raw COPY = %.2f,"
                            + " steady / raw COPY = %.3f%n",
                    copyRowsPerS,
                    peakRowsPerS / copyRowsPerS,
                    measuredRows / measuredS / copyRowsPerS);
        } catch (Exception | OutOfMemoryError e) { // the run's verdict is printed; still exit with it
            System.out.println("raw COPY not measured: " + e);
        }
        channels.forEach(ManagedChannel::shutdownNow);
        timers.shutdownNow();
        callbacks.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        System.exit(exact ? 0 : 1);
    }

    private static long total(List<SimulatedAgent> fleet, boolean acked) {
        long n = 0;
        for (SimulatedAgent a : fleet) n += acked ? a.acked() : a.unackedCount();
        return n;
    }
}
