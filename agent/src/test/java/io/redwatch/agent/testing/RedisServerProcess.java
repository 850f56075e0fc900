package io.redwatch.agent.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real {@code redis-server} for tests: its own free port on 127.0.0.1, its own temporary
 * directory (working dir, RDB files) and its own log file, never the shared 6379.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start("--maxmemory", "10mb")) {
 *   redis.call("SET", "k", "v");
 *   String info = redis.call("INFO", "everything");
 * }
 * }</pre>
 *
 * <p>{@link #start} returns once the server answers PING with PONG. {@link #close} stops it
 * (SIGTERM, then SIGKILL after 10 s) and deletes its directory; a JVM shutdown hook kills it if a
 * test never gets to close it. The binary is {@code redis-server} from PATH unless the environment
 * variable {@code REDIS_SERVER} names another one. Extra arguments are command-line config
 * directives ({@code "--replicaof", "127.0.0.1", "6380"}) and override the defaults, which are:
 * bind 127.0.0.1, no RDB save points, no daemonizing.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_PORT_ATTEMPTS = 5;

    private final Process process;
    private final int port;
    private final Path dir;
    private final Path logFile;
    private final Thread killOnExit;
    private boolean closed;

    private RedisServerProcess(Process process, int port, Path dir, Path logFile) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.logFile = logFile;
        this.killOnExit = new Thread(process::destroyForcibly, "redis-server-" + port + "-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts a server and waits until it answers PING.
     *
     * @throws IllegalStateException if it does not come up; the message carries its log's tail
     */
    public static RedisServerProcess start(String... extraConfigArgs) {
        return launch().start(extraConfigArgs);
    }

    /**
     * Starts a server of another release or with a changed environment:
     * {@code RedisServerProcess.launch().release(RedisRelease.V2_8).environment(forks.environment()).start(...)}.
     * Mind the release's own directives: 2.8 has no {@code protected-mode} or {@code replicaof}
     * ({@code slaveof} works on every release), and a directive with several values is given as
     * separate arguments ({@code "--save", "3600", "1"}), which every release reads alike.
     */
    public static Launch launch() {
        return new Launch();
    }

    /** How to start a server: which release, and what to add to its environment. */
    public static final class Launch {
        private RedisRelease release = RedisRelease.V7_0;
        private final java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();

        private Launch() {}

        public Launch release(RedisRelease r) {
            this.release = r;
            return this;
        }

        public Launch environment(java.util.Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** Starts it on a free port and waits until it answers PING. */
        public RedisServerProcess start(String... extraConfigArgs) {
            return startOnFreePort(release, environment, extraConfigArgs);
        }
    }

    private static RedisServerProcess startOnFreePort(
            RedisRelease release, java.util.Map<String, String> env, String[] extraConfigArgs) {
        String binary = release.binary();
        IllegalStateException last = null;
        // A free port found by binding port 0 can be taken by someone else before redis binds it;
        // retrying with a fresh port makes that race harmless.
        for (int attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
            Path dir = createTempDir();
            try {
                return startOnce(binary, freePort(), dir, extraConfigArgs, env);
            } catch (IllegalStateException e) {
                last = e;
                deleteRecursively(dir);
                if (!String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /**
     * Starts a server on a given port, e.g. the port of one that was just stopped, to test what a
     * client does when its server comes back. No retry: the port must be free.
     */
    public static RedisServerProcess startOnPort(int port, String... extraConfigArgs) {
        String binary = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        Path dir = createTempDir();
        try {
            return startOnce(binary, port, dir, extraConfigArgs, java.util.Map.of());
        } catch (IllegalStateException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    private static RedisServerProcess startOnce(
            String binary, int port, Path dir, String[] extra, java.util.Map<String, String> env) {
        Path logFile = dir.resolve("redis.log");
        List<String> command = new ArrayList<>(List.of(
                binary,
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--logfile",
                logFile.toString(),
                "--daemonize",
                "no",
                "--save",
                ""));
        command.addAll(List.of(extra));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            process = builder.directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run " + binary + " (" + e.getMessage()
                            + "); install redis-server or set REDIS_SERVER to its path",
                    e);
        }
        RedisServerProcess server = new RedisServerProcess(process, port, dir, logFile);
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                server.forget();
                throw new IllegalStateException("redis-server on port " + port + " exited with status "
                        + process.exitValue() + " during start-up; command " + command + "\n"
                        + server.diagnostics());
            }
            try {
                String reply = server.call("PING");
                if ("PONG".equals(reply)) {
                    return server;
                }
                lastProblem = "PING answered " + reply;
            } catch (IOException e) { // includes LOADING and other error replies
                lastProblem = e.toString();
            }
            sleep(25);
        }
        String diagnostics = server.diagnostics();
        server.close();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
                + STARTUP_TIMEOUT.toSeconds() + " s (" + lastProblem + ")\n" + diagnostics);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:port", the form redwatch uses as an instance key. */
    public String address() {
        return host() + ":" + port;
    }

    public Path dir() {
        return dir;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The log file as text; "" if Redis has not written it yet. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile, e);
        }
    }

    /**
     * Waits until a line of the log satisfies {@code condition} and returns that line; on timeout
     * the failure carries the log's tail.
     */
    public String awaitLogLine(Predicate<String> condition, Duration timeout) {
        return Await.value(
                "a matching line in " + logFile,
                timeout,
                () -> {
                    for (String line : log().split("\n")) {
                        if (condition.test(line)) {
                            return line;
                        }
                    }
                    return null;
                },
                this::diagnostics);
    }

    /** Waits for a log line containing {@code text}. */
    public String awaitLog(String text, Duration timeout) {
        return awaitLogLine(line -> line.contains(text), timeout);
    }

    /**
     * Sends one command on a fresh connection and returns the reply as text: a status or bulk
     * string as is, an integer in decimal, a nil as null, an array as its elements joined by '\n'.
     *
     * @throws RedisErrorReply when Redis answers with an error (MISCONF, LOADING, ERR ...)
     * @throws IOException when the server cannot be reached
     */
    public String call(String... args) throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Resp.encode(args));
            socket.getOutputStream().flush();
            return Resp.readReply(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /**
     * Sends all commands on one connection before reading a reply, as a pipelining client does: a
     * workload of thousands of commands then costs a few round trips, not one connection each.
     * Returns how many were answered with an error (a workload may mean some to fail).
     */
    public int pipeline(String[][] commands) throws IOException {
        try (Socket socket = connect()) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            for (String[] command : commands) {
                request.writeBytes(Resp.encode(command));
            }
            socket.getOutputStream().write(request.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            int errors = 0;
            for (int i = 0; i < commands.length; i++) {
                try {
                    Resp.readReply(in);
                } catch (RedisErrorReply e) { // read to its end: the next reply follows
                    errors++;
                }
            }
            return errors;
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host(), port), 2000);
            socket.setSoTimeout(10_000);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Like {@link #call} for tests that treat any failure as a test failure. */
    public String callUnchecked(String... args) {
        try {
            return call(args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server " + address() + ": " + String.join(" ", args), e);
        }
    }

    /**
     * Sends SIGTERM and waits for the process to exit, keeping its directory and log so a test can
     * read the shutdown lines. {@link #close} still has to be called.
     */
    public void terminate() {
        process.destroy(); // SIGTERM on Unix: Redis logs it and shuts down cleanly
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the server if it still runs and deletes its directory. Safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        terminate();
        forget();
        deleteRecursively(dir);
    }

    private void forget() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to: nothing to undo
        }
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder();
        text.append("--- tail of ").append(logFile).append(":\n").append(tail(log()));
        Path stdout = dir.resolve("stdout.txt");
        try {
            if (Files.exists(stdout)) {
                text.append("--- stdout/stderr:\n").append(tail(Files.readString(stdout)));
            }
        } catch (IOException e) {
            text.append("--- stdout unreadable: ").append(e.getMessage());
        }
        return text.toString();
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : "…" + text.substring(text.length() - 4000);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port on 127.0.0.1", e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("redwatch-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for redis-server", e);
        }
    }

    /** Deletes a directory tree (a test's scratch dir); missing files are fine. */
    public static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete redis-server directory " + root, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    /** Redis answered with an error reply; the message is the reply without the leading '-'. */
    public static final class RedisErrorReply extends IOException {
        public RedisErrorReply(String reply) {
            super(reply);
        }
    }
}
