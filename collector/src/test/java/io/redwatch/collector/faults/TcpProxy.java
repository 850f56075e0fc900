package io.redwatch.collector.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy on a loopback port in front of a server (PostgreSQL), that a test can cut: {@link #cut}
 * closes every proxied connection and stops listening, so new connections are refused, as when
 * the database host goes away; {@link #restore} listens again on the same port.
 */
final class TcpProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final List<Socket> sockets = new ArrayList<>();
    private ServerSocket server;
    private Thread acceptor;

    TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = CollectorProcess.freePort();
        restore();
    }

    int port() {
        return port;
    }

    /** Listens (again) on the proxy's port. */
    synchronized void restore() {
        if (server != null) return;
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            server = s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + " again", e);
        }
        ServerSocket s = server;
        acceptor = new Thread(() -> accept(s), "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Closes all connections and the listening socket: established ones break, new ones are refused. */
    synchronized void cut() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // closing is all we want
            }
            server = null;
        }
        for (Socket s : sockets) closeQuietly(s);
        sockets.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // cut or closed
            }
            Socket upstream;
            try {
                upstream = new Socket(targetHost, targetPort);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            synchronized (this) {
                if (server != s) { // cut while connecting
                    closeQuietly(client);
                    closeQuietly(upstream);
                    return;
                }
                sockets.add(client);
                sockets.add(upstream);
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the connection broke or was cut
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        cut();
    }
}
