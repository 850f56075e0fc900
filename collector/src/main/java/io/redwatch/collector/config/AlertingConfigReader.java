package io.redwatch.collector.config;

import io.redwatch.collector.alerting.AlertingConfig;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code alerting:} section of collector.yaml into an {@link AlertingConfig}, naming the
 * key of anything it refuses. The reading lives here and the settings in alerting, so that alerting
 * depends on no part of the configuration reader.
 */
public final class AlertingConfigReader {
    private static final String EMAIL = AlertingConfig.EMAIL;
    private static final String SMS = AlertingConfig.SMS;

    private static final Set<String> KEYS = Set.of(
            "email",
            "sms",
            "routes",
            "repeat_interval",
            "group_wait",
            "group_interval",
            "recovery_evaluations",
            "recovery_period",
            "rate_limit",
            "dispatch_interval",
            "lease",
            "send_timeout",
            "max_attempts",
            "retry_backoff",
            "timezone");
    private static final Set<String> EMAIL_KEYS = Set.of("smtp", "from", "to");
    private static final Set<String> SMTP_KEYS = Set.of("host", "port", "starttls", "ssl", "username", "password_file");
    private static final Set<String> SMS_KEYS =
            Set.of("provider", "url", "to", "account_sid", "auth_token_file", "from", "base_url");
    private static final Set<String> ROUTE_KEYS = Set.of("critical", "warning", "info");
    private static final Set<String> RATE_KEYS = Set.of("messages", "per");
    private static final Set<String> BACKOFF_KEYS = Set.of("initial", "max");
    private static final Pattern EMAIL_ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    private AlertingConfigReader() {}

    /** Reads the {@code alerting} key of a collector config file (absent: {@link AlertingConfig#none()}). */
    public static AlertingConfig load(Path collectorYaml) {
        YamlNode root = YamlNode.load(collectorYaml, new SnakeYamlParser());
        return root.has("alerting") ? from(root.child("alerting")) : AlertingConfig.none();
    }

    /** Parses the {@code alerting} node of collector.yaml. */
    public static AlertingConfig from(YamlNode n) {
        AlertingConfig d = AlertingConfig.none();
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
                        throw new ConfigException(
                                key + " names unknown channel '" + c + "'; channels are email and sms");
                    }
                    if ((c.equals(EMAIL) && email == null) || (c.equals(SMS) && sms == null)) {
                        throw new ConfigException(key + " routes to " + c + " but alerting." + c
                                + " is not configured; configure it or remove it from the route");
                    }
                }
                routes.put(s, List.copyOf(channels));
            }
        } else {
            routes = AlertingConfig.defaultRoutes(email, sms);
        }

        YamlNode rate = n.child("rate_limit");
        rate.allowOnly(RATE_KEYS);
        YamlNode backoff = n.child("retry_backoff");
        backoff.allowOnly(BACKOFF_KEYS);
        AlertingConfig c = new AlertingConfig(
                email,
                sms,
                routes,
                n.duration("repeat_interval", d.repeatInterval()),
                waitOrNone(n, "group_wait", d.groupWait()),
                n.duration("group_interval", d.groupInterval()),
                n.integer("recovery_evaluations", d.recoveryEvaluations()),
                n.duration("recovery_period", d.recoveryPeriod()),
                rate.integer("messages", d.rateLimitMessages()),
                rate.duration("per", d.rateLimitPer()),
                n.duration("dispatch_interval", d.dispatchInterval()),
                n.duration("lease", d.lease()),
                n.duration("send_timeout", d.sendTimeout()),
                n.integer("max_attempts", d.maxAttempts()),
                backoff.duration("initial", d.retryInitial()),
                backoff.duration("max", d.retryMax()),
                zone(n, d.timezone()));
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** A duration that may also be zero ({@code 0s}, {@code 0}): waiting not at all is a choice here. */
    private static Duration waitOrNone(YamlNode n, String key, Duration dflt) {
        String text = n.string(key, null);
        if (text != null && text.trim().matches("0+(ms|s|m|h|d)?")) return Duration.ZERO;
        return n.duration(key, dflt);
    }

    private static EmailSettings email(YamlNode e) {
        e.allowOnly(EMAIL_KEYS);
        if (!e.has("smtp"))
            throw new ConfigException(e.path() + ".smtp is required (host and port of the SMTP server)");
        YamlNode smtp = e.child("smtp");
        smtp.allowOnly(SMTP_KEYS);
        String host = smtp.string("host", "");
        if (host.isBlank()) throw new ConfigException(smtp.path() + ".host is required");
        int port = smtp.integer("port", 25);
        if (port < 1 || port > 65535)
            throw new ConfigException(smtp.path() + ".port " + port + " is out of range 1-65535");
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
            throw new ConfigException(
                    n.path() + ".timezone: '" + z + "' is not a time zone; write e.g. Asia/Shanghai or UTC");
        }
    }

    private static StartTls startTls(YamlNode smtp) {
        String v = smtp.string("starttls", "optional").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "none", "false", "disabled" -> StartTls.NONE;
            case "optional" -> StartTls.OPTIONAL;
            case "required", "true" -> StartTls.REQUIRED;
            default ->
                throw new ConfigException(
                        smtp.path() + ".starttls must be none, optional or required, got '" + v + "'");
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
                throw new ConfigException(
                        s.path() + ".to: '" + number
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
            throw new ConfigException(s.path()
                    + ".account_sid must be a Twilio Account SID (AC followed by 32 hex digits), got '" + sid + "'");
        }
        if (!s.has("auth_token_file")) {
            throw new ConfigException(s.path() + ".auth_token_file is required for provider twilio");
        }
        Secret token = Secret.fromFile(Path.of(s.string("auth_token_file", "")), s.path() + ".auth_token_file");
        if (!token.isPresent()) throw new ConfigException(s.path() + ".auth_token_file is empty");
        String from = s.string("from", "");
        if (from.isBlank())
            throw new ConfigException(s.path() + ".from is required for provider twilio (the sending number)");
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
