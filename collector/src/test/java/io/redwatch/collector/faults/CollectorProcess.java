package io.redwatch.collector.faults;

import io.redwatch.collector.faultinjection.CrashPoint;
import io.redwatch.collector.testing.FreshDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A collector running as its own JVM from the built jar, on ports chosen once: {@link #restart}
 * (after {@link #kill9} or {@link #stop}) comes back on the same gRPC and HTTP ports, as a real
 * collector restarted by systemd does. Each run logs to its own file, {@code <name>-<run>.log}.
 */
final class CollectorProcess {
    private final String name;
    private final String dbUrl;
    private final Path config;
    private final Path logDir;
    private final int grpcPort;
    private final int httpPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private List<String> systemProperties = List.of();
    private JavaProcess process;
    private int runs;

    /** A health answer: the HTTP status and body, or status -1 and the failure when nothing answered. */
    record Health(int status, String body) {}

    CollectorProcess(String name, String dbUrl, Path config, Path logDir) {
        this.name = name;
        this.dbUrl = dbUrl;
        this.config = config;
        this.logDir = logDir;
        this.grpcPort = freePort();
        this.httpPort = freePort();
    }

    /**
     * Test hooks for the next runs, e.g. {@code "redwatch.test.crashAfterCommit=3"} (see
     * {@link CrashPoint}); an empty call clears them.
     */
    CollectorProcess withSystemProperties(String... props) {
        List<String> out = new ArrayList<>();
        for (String p : props) out.add("-D" + p);
        systemProperties = out;
        return this;
    }

    /** Starts a run and waits until it listens. */
    CollectorProcess start() {
        if (process != null && process.isAlive()) throw new IllegalStateException(name + " is already running");
        runs++;
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--db-url",
                dbUrl,
                "--db-user",
                FreshDatabase.USER,
                "--grpc-port",
                String.valueOf(grpcPort),
                "--http-port",
                String.valueOf(httpPort)));
        if (config != null) args.addAll(List.of("--config", config.toString()));
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(systemProperties);
        process = JavaProcess.start(
                name, ModuleDir.collectorJar(), jvm, args, logDir.resolve(name + "-" + runs + ".log"));
        process.awaitLog("redwatch collector listening", Duration.ofSeconds(60));
        return this;
    }

    /** Same ports, same database, a new JVM. */
    CollectorProcess restart() {
        if (process != null && process.isAlive())
            throw new IllegalStateException(name + " still runs; kill or stop it first");
        return start();
    }

    void kill9() {
        process.kill9();
    }

    void stop() {
        process.stop(Duration.ofSeconds(20));
    }

    /** Waits until the run ends by itself (a crash hook); returns the exit code. */
    int awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    JavaProcess process() {
        return process;
    }

    String agentAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    int grpcPort() {
        return grpcPort;
    }

    /** GET /health, waiting at most {@code timeout} for the answer. */
    Health health(Duration timeout) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                            .timeout(timeout)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Health(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Health(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Health(-1, "interrupted");
        }
    }

    /** Kills the current run if it still runs. */
    void destroy() {
        if (process != null) process.destroy();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    @Override
    public String toString() {
        return name + " (gRPC " + grpcPort + ", HTTP " + httpPort + ", run " + runs + ")";
    }
}
