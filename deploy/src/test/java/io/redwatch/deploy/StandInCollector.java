package io.redwatch.deploy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Packed into a jar by {@link QuickstartScriptTest} in place of the collector (built by another
 * module): it answers GET /health on --http-port like the collector, which is all quickstart.sh
 * needs to exercise its start, restart and stop handling.
 */
public final class StandInCollector {

    private StandInCollector() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = 7401;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--http-port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/health", exchange -> {
            byte[] body = "ok\n".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        Thread.currentThread().join();
    }
}
