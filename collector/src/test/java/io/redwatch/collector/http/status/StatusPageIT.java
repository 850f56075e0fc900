package io.redwatch.collector.http.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.Agent;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FastAgent;
import io.redwatch.collector.testing.FreshDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real headless Chromium, on a phone-sized screen, against a collector (with
 * an API token) fed by a real agent watching a real redis-server whose BGSAVE cannot write: the
 * fleet lists it, its MISCONF incident shows as firing with its advice, its memory chart has points,
 * and a silence made on the page lands in PostgreSQL and can be expired there too.
 *
 * <p>Screenshots of the three pages go to {@code target/screenshots/}; with
 * {@code REDWATCH_SCREENSHOTS_DIR=<repo>/docs} they replace the ones committed in {@code docs/}.
 */
class StatusPageIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration INCIDENT_WAIT = Duration.ofSeconds(90);
    private static final int PHONE_WIDTH = 412;
    private static final int PHONE_HEIGHT = 915;

    static FreshDatabase db;
    static Collector collector;
    static RedisServerProcess redis;
    static RedisServerProcess healthy;
    static Agent agent;
    static ChromeDriver browser;
    static String token;
    /** Held so the level sticks: Selenium warns that it has no CDP bindings for this Chromium; the test needs none. */
    static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: the status page test needs Debian's chromium and chromium-driver ("
                        + CHROMIUM + ", " + CHROMEDRIVER + "); install them with"
                        + " `apt-get install -y chromium chromium-driver` (.ci/run does)");
        db = FreshDatabase.reserve("status_page_it");
        token = UUID.randomUUID().toString().replace("-", "");
        Files.writeString(dir.resolve("api.token"), token + "\n");
        Path yaml = dir.resolve("collector.yaml");
        Files.writeString(yaml, "http: {api_token_file: api.token}\n");
        collector = new Collector(CollectorConfig.load(
                yaml, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null)));
        collector.start();

        // MISCONF as in production: BGSAVE cannot write its file (the RDB dir is gone; root ignores
        // permissions), so Redis refuses writes.
        Path rdbDir = Files.createDirectory(dir.resolve("rdb"));
        redis = RedisServerProcess.start("--dir", rdbDir.toString(), "--save", "3600 1");
        healthy = RedisServerProcess.start("--save", "");
        agent = agent("status-host", redis, healthy);
        Files.delete(rdbDir);
        redis.call("SET", "k", "v");
        redis.call("BGSAVE");

        SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
        // No Selenium Manager: the system chromedriver and chromium, and no network lookups.
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--window-size=" + PHONE_WIDTH + "," + PHONE_HEIGHT,
                        "--hide-scrollbars");
        browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build(),
                options);
        browser.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", PHONE_WIDTH, "height", PHONE_HEIGHT, "deviceScaleFactor", 1, "mobile", true));
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (agent != null) agent.close();
        if (redis != null) redis.close();
        if (healthy != null) healthy.close();
        if (collector != null) collector.close();
        if (db != null) db.close();
    }

    @Test
    void anOnCallSeesTheIncidentFollowsItsChartsAndSilencesIt() throws Exception {
        String instance = "status-host:" + redis.port();
        String base = "http://127.0.0.1:" + collector.httpPort();
        browser.get(base + "/");

        // The API needs the token: the page asks for it once and keeps it for the tab.
        WebElement tokenInput = waitFor(Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
        tokenInput.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();

        // Fleet: the instance is listed, and once diagnosed, with its firing MISCONF alert (reloads
        // the page until then, as an on-call would).
        By card = By.cssSelector("a.card.instance[data-instance='" + instance + "']");
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(card));
        WebElement fleetCard = waitFor(INCIDENT_WAIT)
                .pollingEvery(Duration.ofSeconds(2))
                .until(d -> {
                    WebElement c = d.findElements(card).stream().findFirst().orElse(null);
                    if (c != null && c.getText().contains("misconf_writes_refused")) return c;
                    d.navigate().refresh();
                    return null;
                });
        assertTrue(
                fleetCard.getAttribute("class").contains("critical"),
                "a critical incident marks the card: " + fleetCard.getAttribute("class"));
        List<WebElement> cards = waitFor(Duration.ofSeconds(20)).until(d -> {
            List<WebElement> all = d.findElements(By.cssSelector("a.card.instance"));
            return all.size() == 2 ? all : null;
        });
        assertEquals(
                instance, cards.get(0).getAttribute("data-instance"), "the instance with a critical alert comes first");
        assertEquals("status-host:" + healthy.port(), cards.get(1).getAttribute("data-instance"));
        screenshot("status-fleet.png");

        // One instance: the alert with its summary, evidence and advice; charts with points.
        fleetCard.click();
        WebElement alert = waitFor(Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(
                        By.cssSelector("#firing .alert[data-rule='misconf_writes_refused']")));
        assertTrue(alert.findElement(By.cssSelector(".summary")).getText().length() > 10, alert.getText());
        assertTrue(
                alert.findElements(By.cssSelector(".evidence li")).size() > 0,
                "evidence is listed: " + alert.getText());
        assertTrue(
                alert.findElement(By.cssSelector(".advice")).getText().contains("stop-writes-on-bgsave-error"),
                "the advice names the setting: " + alert.getText());
        WebElement memory = waitFor(Duration.ofSeconds(20)).until(d -> {
            List<WebElement> c = d.findElements(By.cssSelector("#chart-memory canvas"));
            return c.isEmpty() ? null : d.findElement(By.id("chart-memory"));
        });
        assertTrue(Integer.parseInt(memory.getAttribute("data-points")) > 0, "the memory chart has points");
        assertTrue(memory.getText().contains("used_memory"), "the legend names the series: " + memory.getText());
        screenshot("status-instance.png");
        screenshotOf("charts", "status-instance-charts.png");

        // A silence from the alert, stored in PostgreSQL with what the on-call typed.
        alert.findElement(By.cssSelector("button.silence-button")).click();
        WebElement form = waitFor(Duration.ofSeconds(10))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("silence-form")));
        assertEquals("misconf_writes_refused", form.findElement(By.name("rule")).getAttribute("value"));
        assertEquals(instance, form.findElement(By.name("instance")).getAttribute("value"));
        form.findElement(By.name("comment")).sendKeys("disk being replaced <b>tonight</b> — ana");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("silence-created")));
        long silenceId;
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT id, rule, instance, comment, expires_at FROM redwatch_silences")) {
            ResultSet rs = ps.executeQuery();
            assertTrue(rs.next(), "the silence is stored");
            silenceId = rs.getLong(1);
            assertEquals("misconf_writes_refused", rs.getString(2));
            assertEquals(instance, rs.getString(3));
            assertEquals("disk being replaced <b>tonight</b> — ana", rs.getString(4));
            assertTrue(
                    rs.getObject(5, OffsetDateTime.class)
                            .isAfter(OffsetDateTime.now().plusMinutes(50)),
                    "for an hour by default");
        }

        // The silences page lists it (the comment as text, not markup) and expires it.
        browser.get(base + "/status/#/silences");
        WebElement listed = waitFor(Duration.ofSeconds(10))
                .until(ExpectedConditions.visibilityOfElementLocated(
                        By.cssSelector("[data-silence='" + silenceId + "']")));
        assertTrue(
                listed.getText().contains("<b>tonight</b>"),
                "markup in a comment is shown as text: " + listed.getText());
        screenshot("status-silences.png");
        listed.findElement(By.cssSelector("button.expire")).click();
        waitFor(Duration.ofSeconds(10))
                .until(ExpectedConditions.invisibilityOfElementLocated(
                        By.cssSelector("[data-silence='" + silenceId + "']")));
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT expires_at <= now() FROM redwatch_silences WHERE id = ?")) {
            ps.setLong(1, silenceId);
            ResultSet rs = ps.executeQuery();
            assertTrue(rs.next() && rs.getBoolean(1), "expired on the page, expired in the database");
        }
    }

    private static WebDriverWait waitFor(Duration d) {
        WebDriverWait w = new WebDriverWait(browser, d);
        w.pollingEvery(Duration.ofMillis(200));
        return w;
    }

    /** The whole page at phone width, as one PNG. */
    private static void screenshot(String name) throws Exception {
        Object data = browser.executeCdpCommand(
                        "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true))
                .get("data");
        byte[] png = Base64.getDecoder().decode((String) data);
        Path out = Path.of("target", "screenshots");
        Files.createDirectories(out);
        Files.write(out.resolve(name), png);
        String docs = System.getenv("REDWATCH_SCREENSHOTS_DIR");
        if (docs != null && !docs.isBlank()) Files.write(Path.of(docs).resolve(name), png);
    }

    /** One element, for looking at the charts closely. */
    private static void screenshotOf(String id, String name) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) browser.executeScript(
                "const r = document.getElementById(arguments[0])"
                        + ".getBoundingClientRect(); return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};",
                id);
        Object data = browser.executeCdpCommand(
                        "Page.captureScreenshot",
                        Map.of(
                                "format",
                                "png",
                                "captureBeyondViewport",
                                true,
                                "clip",
                                Map.of(
                                        "x",
                                        r.get("x"),
                                        "y",
                                        r.get("y"),
                                        "width",
                                        r.get("width"),
                                        "height",
                                        r.get("height"),
                                        "scale",
                                        1)))
                .get("data");
        Path out = Path.of("target", "screenshots");
        Files.createDirectories(out);
        Files.write(out.resolve(name), Base64.getDecoder().decode((String) data));
    }

    private static Agent agent(String hostname, RedisServerProcess... servers) {
        return FastAgent.start(collector.grpcPort(), dir, hostname, servers);
    }
}
