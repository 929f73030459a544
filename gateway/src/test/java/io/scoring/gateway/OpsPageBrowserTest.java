package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.router.traffic.Buckets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops page in a real browser (Debian's chromium through its chromium-driver, headless) against a
 * gateway started on free ports with an admin token, while traffic flows: sign-in, live figures, a
 * canary weight changed through the page and then seen in how requests are served, a refusal in the
 * API's words, and what the page says when the gateway drains. It takes the README's screenshots
 * ({@code -Dops.screenshots=../docs} writes them there; else under target/).
 *
 * <p>Skips, saying why, only where no chromium or chromium-driver is installed ({@code .ci/run}
 * installs both).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsPageBrowserTest
{
    private static final String TOKEN = "ops-page-test-token-7d1e";
    private static final Path CHROMIUM = Path.of(System.getProperty("ops.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("ops.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static ScoringGateway gateway;
    private static AdminClient admin;
    private static GatewayClients clients;
    private static DemoTestSet demo;
    private static WebDriver browser;
    private static Path screenshots;
    private static final AtomicBoolean sending = new AtomicBoolean(true);
    private static Thread traffic;

    @BeforeAll
    static void startGatewayTrafficAndBrowser() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
            "no browser to test the ops page in: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed " +
                "(apt-get install -y chromium chromium-driver; .ci/run does it)");
        screenshots = Files.createDirectories(Path.of(System.getProperty("ops.screenshots", "target/ops-screenshots")));

        final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state"));
        // one-second latency intervals and evaluations, every request sampled: figures move while the test watches
        config.monitoringContext().latencyIntervalMillis(1_000).defaultSamplingPercent(100)
            .driftEvaluateMillis(1_000).comparisonEvaluateMillis(1_000);
        gateway = ScoringGateway.start(config, TOKEN);
        admin = new AdminClient(gateway.adminPort(), TOKEN);
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
        assertEquals(200, admin.put("/admin/models/credit-risk/traffic",
            "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":10},\"shadows\":[]}").statusCode());

        traffic = new Thread(() ->
        {
            int i = 0;
            while (sending.get())
            {
                final DemoTestSet.Applicant applicant = demo.applicants.get(i++ % demo.applicants.size());
                try
                {
                    clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).setRequestId("ops-" + i).build());
                    Thread.sleep(3);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                catch (final RuntimeException ex)
                {
                    // the drain at the end refuses calls: nothing more to send
                }
            }
        }, "ops-page-test-traffic");
        traffic.setDaemon(true);
        traffic.start();

        final ChromeOptions options = new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,2700", "--lang=en-GB");
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopEverything() throws Exception
    {
        sending.set(false);
        if (null != browser)
        {
            browser.quit();
        }
        if (null != traffic)
        {
            traffic.join(5_000);
        }
        if (null != clients)
        {
            clients.close();
        }
        if (null != gateway)
        {
            gateway.drain();
        }
    }

    @Test
    @Order(1)
    void shouldRefuseAWrongTokenInTheApisWordsAndKeepItOutOfUrlAndStorage() throws Exception
    {
        browser.get("http://127.0.0.1:" + gateway.adminPort() + "/");
        final WebElement field = waitFor().until((b) -> b.findElement(By.cssSelector("input[type=password]#token")));
        waitFor().until((b) -> field.isDisplayed());
        field.sendKeys("not-the-token" + Keys.ENTER);

        waitFor().until((b) -> text("signin-error").contains("the bearer token is wrong"));
        assertFalse(browser.findElement(By.id("dashboard")).isDisplayed(), "nothing shows behind a wrong token");
        assertFalse(browser.getCurrentUrl().contains("not-the-token"));
        assertEquals(0L, script("return localStorage.length;"));
        assertEquals(null, script("return sessionStorage.getItem('scoring-admin-token');"));
        screenshot("ops-page-signin.png");
    }

    @Test
    @Order(2)
    void shouldShowTheModelItsVersionsRolesAndLiveFigures() throws Exception
    {
        final WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(TOKEN + Keys.ENTER);

        waitFor().until((b) -> b.findElement(By.id("dashboard")).isDisplayed());
        waitFor().until((b) -> cell("versions", "1", "role").equals("champion") &&
            cell("versions", "2", "role").equals("canary 10 %"));
        final String page = browser.findElement(By.tagName("body")).getText();
        assertTrue(page.contains("credit-risk"), "the model's name");
        assertFalse(browser.getCurrentUrl().contains(TOKEN), "the token is never in a URL");
        assertEquals(0L, script("return localStorage.length;"));

        // fresh, not stale: the page's request total catches up with what the API counted after it was read
        final long counted = championTotal();
        waitFor().until((b) -> number(cell("versions", "1", "total")) >= counted);
        waitFor().until((b) -> number(cell("versions", "1", "rps")) > 0);

        // live latency: the page moves on to newer intervals and shows the API's own figures for them
        waitFor().until((b) -> intervalEnd() > 0);
        final long firstInterval = intervalEnd();
        waitFor().until((b) -> intervalEnd() > firstInterval);
        waitFor().until((b) -> latencyMatchesTheApi());

        waitFor().until((b) -> b.findElements(By.cssSelector("#latency-chart .u-over")).size() == 1);
        waitFor().until((b) -> !b.findElements(By.cssSelector("#drift tbody th")).isEmpty());
        waitFor().until((b) -> !text("distribution-title").startsWith("Reference"));
        // the health probes: each version's last probe, as GET .../health answers it (both derived from their profiles)
        waitFor().until((b) -> b.findElements(By.cssSelector("#health td.verdict-PASS")).size() == 2 &&
            text("health").contains("golden derived"));
        screenshot("ops-page.png");
    }

    @Test
    @Order(3)
    void shouldSetTheCanaryWeightThroughThePageAndServeTheNewSplit() throws Exception
    {
        new Select(browser.findElement(By.id("canary-version"))).selectByValue("2");
        final WebElement weight = browser.findElement(By.id("canary-percent"));
        weight.sendKeys(Keys.chord(Keys.CONTROL, "a"), "25");
        browser.findElement(By.id("canary-apply")).click();

        waitFor().until((b) -> b.findElement(By.id("confirm")).isDisplayed());
        assertTrue(text("confirm-detail").contains("canary 2 at 25 %"), text("confirm-detail"));
        screenshot("ops-page-confirm.png");
        assertEquals(10.0, canaryPercent(), "nothing changes before the confirmation");
        browser.findElement(By.id("confirm-ok")).click();

        waitFor().until((b) -> text("action-status").contains("25 %"));
        assertEquals(25.0, canaryPercent());
        final JsonNode audit = AdminClient.json(admin.get("/admin/audit")).get("audit");
        assertTrue(audit.get(audit.size() - 1).get("caller").asText().startsWith("ops-page@"),
            "the change went through the admin API and its audit log: " + audit.get(audit.size() - 1));

        // every applicant is now served by the 25 % split of the documented sticky buckets
        final long seed = Buckets.seed("credit-risk");
        int canary = 0;
        for (final DemoTestSet.Applicant applicant : demo.applicants)
        {
            final PredictResponse answer = clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
            final boolean expectCanary = Buckets.bucket(seed, applicant.id()) < 2_500;
            assertEquals(expectCanary ? "canary" : "champion", answer.getRole(), applicant.id());
            assertEquals(expectCanary ? "2" : "1", answer.getVersion(), applicant.id());
            canary += expectCanary ? 1 : 0;
        }
        final int applicants = demo.applicants.size();
        assertTrue(Math.abs(canary - applicants / 4.0) < 4 * Math.sqrt(applicants * 0.25 * 0.75),
            canary + " of " + applicants + " applicants went to the canary; 25 % expected");
        waitFor().until((b) -> cell("versions", "2", "role").equals("canary 25 %"));
    }

    @Test
    @Order(4)
    void shouldShowARefusedChangeInTheApisWordsWithTheKeyboardAlone() throws Exception
    {
        final WebElement weight = browser.findElement(By.id("canary-percent"));
        weight.sendKeys(Keys.chord(Keys.CONTROL, "a"), "12.345" + Keys.ENTER);
        waitFor().until((b) -> b.findElement(By.id("confirm")).isDisplayed());
        assertEquals("confirm-cancel", browser.switchTo().activeElement().getAttribute("id"), "Cancel has the focus first");
        browser.switchTo().activeElement().sendKeys(Keys.TAB);
        assertEquals("confirm-ok", browser.switchTo().activeElement().getAttribute("id"));
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);

        waitFor().until((b) -> text("action-status").startsWith("Refused:"));
        assertTrue(text("action-status").contains("two decimals"), text("action-status"));
        assertEquals(25.0, canaryPercent());
    }

    /**
     * A rollout started, followed and ended through the page:
     * the page's state is the API's, its decisions are listed, and Abort or Confirm ends it.
     */
    @Test
    @Order(5)
    void shouldStartFollowAndEndARolloutThroughThePage() throws Exception
    {
        waitFor().until((b) -> text("rollout-now").contains("No rollout"));
        assertEquals(200, admin.put("/admin/models/credit-risk/traffic", "{\"champion\":\"1\",\"shadows\":[]}").statusCode());

        waitFor().until((b) -> !b.findElements(By.cssSelector("#rollout-version option[value='2']")).isEmpty());
        new Select(browser.findElement(By.id("rollout-version"))).selectByValue("2");
        browser.findElement(By.id("rollout-steps")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "10, 50");
        browser.findElement(By.id("rollout-step-seconds")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "1");
        browser.findElement(By.id("rollout-min-requests")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "20");
        browser.findElement(By.id("rollout-wait-confirm")).click();
        browser.findElement(By.id("rollout-start")).click();
        waitFor().until((b) -> b.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-ok")).click();
        waitFor().until((b) -> text("action-status").equals("Rollout started."));

        // the page follows the rollout: its state is the API's and its decisions are listed
        waitFor().until((b) -> text("rollout-now").startsWith(rolloutState().replace('_', ' ')) &&
            !b.findElements(By.cssSelector("#rollout-now ol.timeline li")).isEmpty());
        screenshot("ops-page-rollout.png");
        final String state = rolloutState();
        if (state.equals("waiting_confirm") || state.equals("running") || state.equals("paused"))
        {
            final String button = state.equals("waiting_confirm") ? "rollout-confirm" : "rollout-abort";
            waitFor().until((b) -> b.findElement(By.id(button)).isEnabled());
            browser.findElement(By.id(button)).click();
            waitFor().until((b) -> b.findElement(By.id("confirm")).isDisplayed());
            browser.findElement(By.id("confirm-ok")).click();
            waitFor().until((b) -> text("action-status").startsWith("Rollout:") || text("action-status").startsWith("Refused:"));
        }
        waitFor().until((b) -> List.of("promoted", "rolled_back", "aborted").contains(rolloutState()) &&
            text("rollout-now").startsWith(rolloutState().replace('_', ' ')));
        assertFalse(browser.findElement(By.id("rollout-abort")).isEnabled(), "nothing to abort once it ended");
    }

    @Test
    @Order(6)
    void shouldSayClearlyThatTheFiguresStoppedWhenTheGatewayDrains() throws Exception
    {
        sending.set(false);
        traffic.join(5_000);
        gateway.drain();
        waitFor().until((b) -> b.findElement(By.id("banner")).isDisplayed() && text("banner").contains("Cannot reach the gateway"));
        assertTrue(text("banner").contains("not updating"), text("banner"));
        screenshot("ops-page-draining.png");
    }

    // ---------------------------------------------------------------------------------------------

    private static WebDriverWait waitFor()
    {
        return new WebDriverWait(browser, PATIENCE);
    }

    private static String text(final String id)
    {
        return ((String)script("return document.getElementById('" + id + "').textContent;")).strip();
    }

    /**
     * A cell of the row for a version in one of the page's tables, by the cell's class. Read in the page
     * (not through an element handle): the page rebuilds its tables every poll.
     */
    private static String cell(final String table, final String version, final String column)
    {
        return (String)script("const c = document.querySelector(\"#" + table + " tr[data-version='" + version +
            "'] td." + column + "\"); return c ? c.textContent.trim() : '';");
    }

    private static double number(final String text)
    {
        final String digits = text.replace(",", "");
        return digits.matches("-?[0-9.]+") ? Double.parseDouble(digits) : -1;
    }

    private static Object script(final String js)
    {
        return ((JavascriptExecutor)browser).executeScript(js);
    }

    private static long intervalEnd()
    {
        final Object end = script("const r = document.querySelector(\"#latency tr[data-version='1'][data-role='champion']\");" +
            " return r ? r.dataset.intervalEnd : '0';");
        return Long.parseLong((String)end);
    }

    /** The page's p50/p99/p99.9 of the champion equal the API's for the same interval (false: not the same one yet). */
    private static boolean latencyMatchesTheApi()
    {
        try
        {
            final long shown = intervalEnd();
            final String[] page = {cell("latency", "1", "p50"), cell("latency", "1", "p99"), cell("latency", "1", "p999")};
            for (final JsonNode version : AdminClient.json(admin.get("/admin/models/credit-risk/latency")).get("versions"))
            {
                if (version.get("version").asText().equals("1") && version.get("role").asText().equals("champion"))
                {
                    if (version.get("interval_end_millis").asLong() != shown)
                    {
                        return false;
                    }
                    final JsonNode last = version.get("last_interval");
                    final double[] api = {last.get("p50").asDouble(), last.get("p99").asDouble(), last.get("p999").asDouble()};
                    for (int i = 0; i < api.length; i++)
                    {
                        assertEquals(api[i], number(page[i]), api[i] >= 100 ? 0.5 : 0.05, "the page shows the API's figure");
                    }
                    return true;
                }
            }
            return false;
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static long championTotal() throws Exception
    {
        for (final JsonNode counts : AdminClient.json(admin.get("/admin/models/credit-risk/requests")).get("versions"))
        {
            if (counts.get("version").asText().equals("1") && counts.get("role").asText().equals("champion"))
            {
                return counts.get("total").asLong();
            }
        }
        throw new AssertionError("no counts for version 1 as champion");
    }

    private static String rolloutState()
    {
        try
        {
            return AdminClient.json(admin.get("/admin/models/credit-risk/rollout")).path("state").asText();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static double canaryPercent() throws Exception
    {
        return AdminClient.json(admin.get("/admin/models/credit-risk/traffic")).get("canary").get("percent").asDouble();
    }

    private static void screenshot(final String name) throws Exception
    {
        final File shot = ((TakesScreenshot)browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
