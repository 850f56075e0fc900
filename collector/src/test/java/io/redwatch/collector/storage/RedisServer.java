package io.redwatch.collector.storage;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A redis-server of our own on a free port, with its own directory and log, and a tiny RESP client. */
final class RedisServer implements AutoCloseable {
    private final Process process;
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RedisServer(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString(), "--save", "")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        Socket s = null;
        for (int i = 0; i < 100 && s == null; i++) {
            try {
                s = new Socket("127.0.0.1", port);
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        if (s == null) {
            process.destroy();
            throw new IOException("redis-server did not listen on " + port + "; see " + dir.resolve("redis.log"));
        }
        socket = s;
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** Sends many commands before reading their replies. */
    void pipeline(String[][] commands) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String[] cmd : commands) {
            b.append('*').append(cmd.length).append("\r\n");
            for (String a : cmd) {
                b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (int i = 0; i < commands.length; i++) {
            reply();
        }
    }

    String command(String... args) throws IOException {
        pipeline(new String[][] {args});
        return lastBulk;
    }

    private String lastBulk;

    private void reply() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+', '-', ':' -> lastBulk = line;
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    lastBulk = null;
                    return;
                }
                byte[] data = in.readNBytes(n + 2);
                lastBulk = new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < n; i++) {
                    reply();
                }
            }
            default -> throw new IOException("unexpected RESP type " + (char) type);
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("redis closed the connection");
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        socket.close();
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
