package io.redwatch.collector.config;

import io.redwatch.collector.alerting.email.EmailSettings;
import io.redwatch.collector.alerting.email.StartTls;
import io.redwatch.collector.alerting.sms.SmsProvider;
import io.redwatch.collector.alerting.sms.SmsSettings;
import io.redwatch.collector.rules.Severity;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import io.redwatch.common.config.YamlNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code alerting:} section of collector.yaml, validated: channels (email, sms), routes by
 * severity, and the timing of the pipeline.
 *
 * @param email               null when no email channel is configured
 * @param sms                 null when no SMS channel is configured
 * @param routes              severity → channel names; only configured channels appear
 * @param repeatInterval      a still-firing critical alert is notified again this often
 * @param groupWait           the first notification of a host is held this long, so that what else the host
 *                            reports meanwhile joins it (default 0: the first page leaves at once)
 * @param groupInterval       after a message to a recipient about a host, what follows for that host waits
 *                            until this long after it and goes out as one message (Alertmanager's
 *                            group_interval), so a storm stays a handful of messages
 * @param recoveryEvaluations an alert resolves after being missing from this many evaluations in a row…
 * @param recoveryPeriod      …and for at least this long, so a flapping rule stays one alert
 * @param rateLimitMessages   at most this many messages per channel and recipient…
 * @param rateLimitPer        …within this window; the rest are suppressed and summarised later
 * @param dispatchInterval    how often the dispatcher looks for due notifications
 * @param lease               how long a claimed notification is reserved for its dispatcher
 * @param sendTimeout         the longest one send may take (kept well under the lease)
 * @param maxAttempts         transient failures are retried until this many attempts, then failed
 * @param retryInitial        the first retry delay, doubled after each failure…
 * @param retryMax            …up to this
 * @param timezone            the zone times are shown in (default: the collector's)
 */
public record AlertingConfig(EmailSettings email, SmsSettings sms, Map<Severity, List<String>> routes,
                             Duration repeatInterval, Duration groupWait, Duration groupInterval, int recoveryEvaluations,
                             Duration recoveryPeriod, int rateLimitMessages, Duration rateLimitPer,
                             Duration dispatchInterval, Duration lease, Duration sendTimeout, int maxAttempts,
                             Duration retryInitial, Duration retryMax, ZoneId timezone) {

    public static final String EMAIL = "email";
    public static final String SMS = "sms";

    private static final Set<String> KEYS = Set.of("email", "sms", "routes", "repeat_interval", "group_wait", "group_interval",
            "recovery_evaluations", "recovery_period", "rate_limit", "dispatch_interval", "lease", "send_timeout",
            "max_attempts", "retry_backoff", "timezone");
    private static final Set<String> EMAIL_KEYS = Set.of("smtp", "from", "to");
    private static final Set<String> SMTP_KEYS = Set.of("host", "port", "starttls", "ssl", "username", "password_file");
    private static final Set<String> SMS_KEYS = Set.of("provider", "url", "to", "account_sid", "auth_token_file", "from",
            "base_url");
    private static final Set<String> ROUTE_KEYS = Set.of("critical", "warning", "info");
    private static final Set<String> RATE_KEYS = Set.of("messages", "per");
    private static final Set<String> BACKOFF_KEYS = Set.of("initial", "max");
    private static final Pattern EMAIL_ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    public AlertingConfig {
        EnumMap<Severity, List<String>> copy = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) copy.put(s, List.copyOf(routes.getOrDefault(s, List.of())));
        routes = Map.copyOf(copy);
    }

    /** No channels: alerts are tracked and shown, nobody is paged. */
    public static AlertingConfig none() {
        return new AlertingConfig(null, null, defaultRoutes(null, null), Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(30), 2,
                Duration.ofSeconds(60), 10, Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(120),
                Duration.ofSeconds(30), 12, Duration.ofSeconds(10), Duration.ofMinutes(10), ZoneId.systemDefault());
    }

    /** Reads the {@code alerting} key of a collector config file (absent: {@link #none()}). */
    public static AlertingConfig load(Path collectorYaml) {
        YamlNode root = YamlNode.load(collectorYaml);
        return root.has("alerting") ? from(root.child("alerting")) : none();
    }

    /** Parses the {@code alerting} node of collector.yaml. */
    public static AlertingConfig from(YamlNode n) {
        AlertingConfig d = none();
        n.allowOnly(KEYS);
        EmailSettings email = n.has("email") ? email(n.child("email")) : null;
        SmsSettings sms = n.has("sms") ? sms(n.child("sms")) : null;

        Map<Severity, List<String>> routes = new EnumMap<>(Severity.class);
        if (n.has("routes")) {
            YamlNode r = n.child("routes");
            r.allowOnly(ROUTE_KEYS);
            for (Severity s : Severity.values()) {
                List<String> channels = r.strings(s.word());
                for (String c : channels) {
                    String key = r.path() + "." + s.word();
                    if (!c.equals(EMAIL) && !c.equals(SMS)) {
                        throw new ConfigException(key + " names unknown channel '" + c + "'; channels are email and sms");
                    }
                    if (c.equals(EMAIL) && email == null || c.equals(SMS) && sms == null) {
                        throw new ConfigException(key + " routes to " + c + " but alerting." + c
                                + " is not configured; configure it or remove it from the route");
                    }
                }
                routes.put(s, List.copyOf(channels));
            }
        } else {
            routes = defaultRoutes(email, sms);
        }

        YamlNode rate = n.child("rate_limit");
        rate.allowOnly(RATE_KEYS);
        YamlNode backoff = n.child("retry_backoff");
        backoff.allowOnly(BACKOFF_KEYS);
        AlertingConfig c = new AlertingConfig(email, sms, routes,
                n.duration("repeat_interval", d.repeatInterval),
                waitOrNone(n, "group_wait", d.groupWait),
                n.duration("group_interval", d.groupInterval),
                n.integer("recovery_evaluations", d.recoveryEvaluations),
                n.duration("recovery_period", d.recoveryPeriod),
                rate.integer("messages", d.rateLimitMessages),
                rate.duration("per", d.rateLimitPer),
                n.duration("dispatch_interval", d.dispatchInterval),
                n.duration("lease", d.lease),
                n.duration("send_timeout", d.sendTimeout),
                n.integer("max_attempts", d.maxAttempts),
                backoff.duration("initial", d.retryInitial),
                backoff.duration("max", d.retryMax),
                zone(n, d.timezone));
        return c.validate();
    }

    /** A duration that may also be zero ({@code 0s}, {@code 0}): waiting not at all is a choice here. */
    private static Duration waitOrNone(YamlNode n, String key, Duration dflt) {
        String text = n.string(key, null);
        if (text != null && text.trim().matches("0+(ms|s|m|h|d)?")) return Duration.ZERO;
        return n.duration(key, dflt);
    }

    /** critical → [email, sms], warning → [email], info → [], leaving out channels that are not configured. */
    private static Map<Severity, List<String>> defaultRoutes(EmailSettings email, SmsSettings sms) {
        Map<Severity, List<String>> routes = new EnumMap<>(Severity.class);
        routes.put(Severity.CRITICAL, configured(List.of(EMAIL, SMS), email, sms));
        routes.put(Severity.WARNING, configured(List.of(EMAIL), email, sms));
        routes.put(Severity.INFO, List.of());
        return routes;
    }

    private static List<String> configured(List<String> channels, EmailSettings email, SmsSettings sms) {
        List<String> out = new ArrayList<>();
        for (String c : channels) {
            if (c.equals(EMAIL) && email != null || c.equals(SMS) && sms != null) out.add(c);
        }
        return out;
    }

    public AlertingConfig validate() {
        if (recoveryEvaluations < 1) {
            throw new ConfigException("alerting.recovery_evaluations must be at least 1, got " + recoveryEvaluations);
        }
        if (rateLimitMessages < 1) {
            throw new ConfigException("alerting.rate_limit.messages must be positive, got " + rateLimitMessages);
        }
        if (maxAttempts < 1) throw new ConfigException("alerting.max_attempts must be at least 1, got " + maxAttempts);
        if (retryMax.compareTo(retryInitial) < 0) {
            throw new ConfigException("alerting.retry_backoff.max (" + retryMax + ") must not be below initial ("
                    + retryInitial + ")");
        }
        if (lease.compareTo(sendTimeout.multipliedBy(2)) < 0) {
            // A send still running when the lease ends could be repeated by another collector.
            throw new ConfigException("alerting.lease (" + lease + ") must be at least twice alerting.send_timeout ("
                    + sendTimeout + ")");
        }
        return this;
    }

    /** The channels a notification of this severity goes to. */
    public List<String> channelsFor(Severity severity) {
        return routes.get(severity);
    }

    private static EmailSettings email(YamlNode e) {
        e.allowOnly(EMAIL_KEYS);
        if (!e.has("smtp")) throw new ConfigException(e.path() + ".smtp is required (host and port of the SMTP server)");
        YamlNode smtp = e.child("smtp");
        smtp.allowOnly(SMTP_KEYS);
        String host = smtp.string("host", "");
        if (host.isBlank()) throw new ConfigException(smtp.path() + ".host is required");
        int port = smtp.integer("port", 25);
        if (port < 1 || port > 65535) throw new ConfigException(smtp.path() + ".port " + port + " is out of range 1-65535");
        String username = smtp.string("username", "");
        Secret password = Secret.none();
        // An empty password_file means "no authentication", as an empty username does.
        if (!smtp.string("password_file", "").isBlank()) {
            password = Secret.fromFile(Path.of(smtp.string("password_file", "")), smtp.path() + ".password_file");
        }
        if (!username.isEmpty() && !password.isPresent()) {
            throw new ConfigException(smtp.path() + ".username is set but no password: set " + smtp.path()
                    + ".password_file to a file holding the SMTP password");
        }
        String from = e.string("from", "");
        if (!EMAIL_ADDRESS.matcher(from).matches()) {
            throw new ConfigException(e.path() + ".from must be an email address, got '" + from + "'");
        }
        List<String> to = e.strings("to");
        if (to.isEmpty()) throw new ConfigException(e.path() + ".to must list at least one address");
        for (String a : to) {
            if (!EMAIL_ADDRESS.matcher(a).matches()) {
                throw new ConfigException(e.path() + ".to: '" + a + "' is not an email address");
            }
        }
        return new EmailSettings(host, port, startTls(smtp), smtp.bool("ssl", false), username, password, from, to);
    }

    private static ZoneId zone(YamlNode n, ZoneId dflt) {
        if (!n.has("timezone")) return dflt;
        String z = n.string("timezone", "");
        try {
            return ZoneId.of(z);
        } catch (DateTimeException e) {
            throw new ConfigException(n.path() + ".timezone: '" + z + "' is not a time zone; write e.g. Asia/Shanghai or UTC");
        }
    }

    private static StartTls startTls(YamlNode smtp) {
        String v = smtp.string("starttls", "optional").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "none", "false", "disabled" -> StartTls.NONE;
            case "optional" -> StartTls.OPTIONAL;
            case "required", "true" -> StartTls.REQUIRED;
            default -> throw new ConfigException(smtp.path() + ".starttls must be none, optional or required, got '"
                    + v + "'");
        };
    }

    private static SmsSettings sms(YamlNode s) {
        s.allowOnly(SMS_KEYS);
        String p = s.string("provider", "");
        SmsProvider provider = switch (p) {
            case "webhook" -> SmsProvider.WEBHOOK;
            case "twilio" -> SmsProvider.TWILIO;
            default -> throw new ConfigException(s.path() + ".provider must be webhook or twilio, got '" + p + "'");
        };
        List<String> to = s.strings("to");
        if (to.isEmpty()) throw new ConfigException(s.path() + ".to must list at least one phone number");
        for (String number : to) {
            if (!E164.matcher(number).matches()) {
                throw new ConfigException(s.path() + ".to: '" + number
                        + "' is not a phone number in international form (E.164, e.g. +8613800000000); quote it in YAML");
            }
        }
        if (provider == SmsProvider.WEBHOOK) {
            for (String k : List.of("account_sid", "auth_token_file", "from", "base_url")) {
                if (s.has(k)) throw new ConfigException(s.path() + "." + k + " applies to provider twilio only");
            }
            if (!s.has("url")) throw new ConfigException(s.path() + ".url is required for provider webhook");
            return new SmsSettings(provider, httpUri(s, "url"), to, "", Secret.none(), "");
        }
        if (s.has("url")) {
            throw new ConfigException(s.path() + ".url applies to provider webhook; for twilio set account_sid, "
                    + "auth_token_file and from (base_url only to reach a proxy or test server)");
        }
        String sid = s.string("account_sid", "");
        if (!sid.matches("AC[0-9a-fA-F]{32}")) {
            throw new ConfigException(s.path() + ".account_sid must be a Twilio Account SID (AC followed by 32 hex digits), got '"
                    + sid + "'");
        }
        if (!s.has("auth_token_file")) {
            throw new ConfigException(s.path() + ".auth_token_file is required for provider twilio");
        }
        Secret token = Secret.fromFile(Path.of(s.string("auth_token_file", "")), s.path() + ".auth_token_file");
        if (!token.isPresent()) throw new ConfigException(s.path() + ".auth_token_file is empty");
        String from = s.string("from", "");
        if (from.isBlank()) throw new ConfigException(s.path() + ".from is required for provider twilio (the sending number)");
        URI base = s.has("base_url") ? httpUri(s, "base_url") : SmsSettings.TWILIO_API;
        return new SmsSettings(provider, base, to, sid, token, from);
    }

    private static URI httpUri(YamlNode n, String key) {
        String v = n.string(key, "");
        try {
            URI u = new URI(v);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new ConfigException(n.path() + "." + key + " must be an http or https URL, got '" + v + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException(n.path() + "." + key + " is not a URL: '" + v + "' (" + e.getReason() + ")");
        }
    }
}
