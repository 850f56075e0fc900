package io.redwatch.collector.alerting.email;

import io.redwatch.collector.alerting.Channel;
import io.redwatch.collector.alerting.ControlCharacters;
import io.redwatch.collector.alerting.Delivery;
import io.redwatch.collector.alerting.Notice;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Alert emails through the Vert.x SMTP client; one plain-text message per recipient. */
public final class EmailChannel implements Channel, AutoCloseable {
    private final EmailSettings settings;
    private final MailClient client;
    private final EmailText text;
    private final Duration timeout;

    public EmailChannel(Vertx vertx, EmailSettings settings, ZoneId zone, Duration timeout) {
        this.settings = settings;
        this.text = new EmailText(zone);
        this.timeout = timeout;
        MailConfig mc = new MailConfig()
                .setHostname(settings.host())
                .setPort(settings.port())
                .setSsl(settings.ssl())
                .setStarttls(
                        switch (settings.starttls()) {
                            case NONE -> StartTLSOptions.DISABLED;
                            case OPTIONAL -> StartTLSOptions.OPTIONAL;
                            case REQUIRED -> StartTLSOptions.REQUIRED;
                        })
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                // Pooled: with keepAlive off, vertx-mail 4.5.10 left some concurrent sends hanging past the
                // timeout (DispatcherIT). Idle connections are closed soon, since most servers drop them anyway.
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setKeepAliveTimeoutUnit(TimeUnit.SECONDS);
        if (settings.username().isEmpty()) {
            mc.setLogin(LoginOption.DISABLED);
        } else {
            mc.setLogin(LoginOption.REQUIRED)
                    .setUsername(settings.username())
                    .setPassword(settings.password().reveal());
        }
        this.client = MailClient.create(vertx, mc);
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public List<String> recipients() {
        return settings.to();
    }

    @Override
    public Delivery send(String recipient, Notice notice) {
        MailMessage m = new MailMessage()
                // From and To come from the config, not the network, but a header is never built from raw text.
                .setFrom(ControlCharacters.escape(settings.from()))
                .setTo(ControlCharacters.escape(recipient))
                .setSubject(text.subject(notice))
                .setText(text.body(notice));
        try {
            client.sendMail(m).toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Delivery.sent();
        } catch (TimeoutException e) {
            return Delivery.transientFailure(
                    "SMTP " + where() + " did not finish within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.transientFailure("interrupted while sending to " + where());
        } catch (ExecutionException e) {
            return classify(e.getCause());
        }
    }

    /** SMTP 5xx (bad recipient, relay denied) and refused logins cannot succeed on retry; the rest may. */
    Delivery classify(Throwable t) {
        String msg = t.getClass().getSimpleName() + ": " + t.getMessage() + " (SMTP " + where() + ")";
        if (t instanceof SMTPException smtp) {
            return smtp.isPermanent() ? Delivery.permanentFailure(msg) : Delivery.transientFailure(msg);
        }
        String lower = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (lower.contains("authentication") || lower.contains("auth ") || lower.contains("login")) {
            return Delivery.permanentFailure(msg + "; check alerting.email.smtp.username and password_file");
        }
        return Delivery.transientFailure(msg);
    }

    private String where() {
        return settings.host() + ":" + settings.port();
    }

    @Override
    public void close() {
        client.close();
    }
}
