package io.redwatch.collector.alerting;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.config.AlertingConfigReader;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.testing.FreshDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real parts for alerting tests: a fresh PostgreSQL database with the schema, GreenMail as the SMTP
 * server (restartable on the same port), a local HTTP server as the SMS gateway, and Vert.x.
 */
final class PipelineHarness implements AutoCloseable {
    final FreshDatabase database;
    final HikariDataSource db;
    final Vertx vertx = Vertx.vertx();
    final WorkerExecutor workers;
    final SmsGatewayServer sms;
    final int smtpPort;
    private final Path dir;
    private GreenMail mail;
    private final List<Alerting> built = new ArrayList<>();

    PipelineHarness(String name) {
        try {
            database = FreshDatabase.create(name);
            db = Database.open(database.url(), FreshDatabase.USER, "", 8);
            workers = vertx.createSharedWorkerExecutor("alerting-test", 4);
            sms = new SmsGatewayServer();
            try (ServerSocket s = new ServerSocket(0)) {
                smtpPort = s.getLocalPort();
            }
            dir = Files.createTempDirectory("redwatch-alerting");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startSmtp();
    }

    /** Starts GreenMail and returns once its port accepts connections (a restart under load is not instant). */
    void startSmtp() {
        mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", smtpPort)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("GreenMail did not accept connections on port " + smtpPort, notYet);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    void stopSmtp() {
        mail.stop();
    }

    /** The test config: both channels pointed at the local servers, plus {@code extra} lines of alerting keys. */
    AlertingConfig config(String... extra) {
        StringBuilder y = new StringBuilder()
                .append("alerting:\n")
                .append("  email:\n")
                .append("    smtp: {host: 127.0.0.1, port: ")
                .append(smtpPort)
                .append(", starttls: none}\n")
                .append("    from: redwatch@example.org\n")
                .append("    to: [oncall@example.org]\n")
                .append("  sms:\n")
                .append("    provider: webhook\n")
                .append("    url: ")
                .append(sms.url("/sms"))
                .append('\n')
                .append("    to: [\"+8613800000000\"]\n")
                .append("  send_timeout: 3s\n")
                .append("  lease: 20s\n")
                .append("  timezone: UTC\n");
        boolean backoff = false;
        for (String line : extra) {
            y.append("  ").append(line).append('\n');
            backoff |= line.startsWith("retry_backoff");
        }
        if (!backoff) y.append("  retry_backoff: {initial: 1s, max: 8s}\n");
        try {
            Path f = Files.createTempFile(dir, "collector", ".yaml");
            Files.writeString(f, y);
            return AlertingConfigReader.load(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Alerting alerting(AlertingConfig config, String dispatcherId) {
        Alerting a = new Alerting(vertx, db, config, Alerting.channels(vertx, config), dispatcherId);
        built.add(a);
        return a;
    }

    void reset() {
        sql("TRUNCATE alerts, notifications, alert_messages, silences");
        try {
            mail.purgeEmailFromAllMailboxes();
        } catch (com.icegreen.greenmail.store.FolderException e) {
            throw new IllegalStateException("cannot empty GreenMail's mailboxes", e);
        }
        sms.clear();
    }

    List<MimeMessage> emails() {
        return List.of(mail.getReceivedMessages());
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String body(MimeMessage m) {
        try {
            return String.valueOf(m.getContent()).replace("\r\n", "\n");
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The texts the SMS gateway received. */
    List<String> texts() {
        List<String> out = new ArrayList<>();
        for (SmsGatewayServer.Request r : sms.requests()) {
            out.add(new io.vertx.core.json.JsonObject(r.body()).getString("text"));
        }
        return out;
    }

    void sql(String statement) {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row, as text. */
    List<String> column(String query) {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) out.add(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
        return out;
    }

    long count(String query) {
        return Long.parseLong(column(query).get(0));
    }

    static Finding finding(String rule, Severity severity, String instance) {
        String host = instance.substring(0, instance.indexOf(':'));
        return new Finding(
                rule,
                severity,
                instance,
                host,
                "Background save fails: fork: Cannot allocate memory (" + rule + ")",
                List.of(
                        "10:43:12.034 log: # Can't save in background: fork: Cannot allocate memory",
                        "10:43:12 INFO persistence: rdb_last_bgsave_status:err",
                        "10:43:12 /proc/sys/vm/overcommit_memory: 0"),
                "sysctl vm.overcommit_memory=1; add vm.overcommit_memory = 1 to /etc/sysctl.conf",
                System.currentTimeMillis());
    }

    @Override
    public void close() {
        for (Alerting a : built) a.close();
        mail.stop();
        sms.close();
        workers.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            // closing a test's Vert.x; nothing to recover
        }
        db.close();
        database.close();
        deleteTree(dir);
    }

    /** The config files written under the temp dir; left behind they pile up in /tmp run after run. */
    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
