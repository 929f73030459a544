package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.scoring.gateway.rollout.Threshold;
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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops page in a real browser (Debian's chromium through its chromium-driver, headless) against a
 * gateway started on free ports with an admin token, while traffic flows: sign-in, live figures, a
 * canary weight changed through the page and then seen in how requests are served, and every other
 * control driven through its confirmation and checked in the admin API (a shadow added, changed and
 * removed; a version unloaded and loaded back; promote and roll back; a rollout started, paused,
 * resumed, aborted, and another confirmed), refusals in the API's words, and what the page says when
 * the gateway drains. It takes the README's screenshots ({@code -Dops.screenshots=../docs} writes them
 * there; else under target/). {@link OpsPageFirefoxTest} checks the essentials in Firefox.
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

        // the demo and a third version (version 1's graph again): a shadow beside the canary, a rollout that passes
        final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state"))
            .models(RolloutCandidates.withIdentical());
        // evaluations every second, every request sampled: figures move while the test watches. Latency intervals of
        // 4 s, twice the page's poll: each interval stays on the page and in the API together for seconds, so the
        // test can find them showing the same one even when a loaded machine takes a second to fetch and draw
        // (with 1 s intervals a page a second behind never matched the API, and the test timed out)
        config.monitoringContext().latencyIntervalMillis(4_000).defaultSamplingPercent(100)
            .driftEvaluateMillis(1_000).comparisonEvaluateMillis(1_000);
        // the page steers rollouts here, RolloutTest judges them: the score and latency checks opened wide, so an
        // identical candidate's cohort that differs by chance on a busy machine cannot end a rollout early
        config.rolloutContext().tickMillis(100).threshold(Threshold.PSI_MAX, 100).threshold(Threshold.KS_MAX_D, 1)
            .threshold(Threshold.LATENCY_TOLERANCE, 100);
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
        choose("canary-version", "2");
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

    @Test
    @Order(5)
    void shouldAddChangeAndRemoveAShadowThroughThePage() throws Exception
    {
        waitFor().until((b) -> !b.findElements(By.cssSelector("#shadow-version option[value='3']")).isEmpty());
        choose("shadow-version", "3");
        browser.findElement(By.id("shadow-percent")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "50" + Keys.ENTER);
        awaitConfirmation();
        assertTrue(text("confirm-detail").contains("shadows 3 at 50 %"), text("confirm-detail"));
        browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        waitFor().until((b) -> text("action-status").equals("Cancelled: nothing was changed."));
        assertEquals(0, api("/admin/models/credit-risk/traffic").get("shadows").size(), "Escape changes nothing");

        browser.findElement(By.id("shadow-add")).click();
        confirm();
        waitFor().until((b) -> shadows().equals("3@50.0"));
        waitFor().until((b) -> text("policy-summary").endsWith("shadows 3 at 50 %") &&
            cell("versions", "3", "role").equals("shadow 50 %"));

        // its own field, then Tab to its Set button and Enter: the keyboard alone
        final WebElement sample = waitFor().until((b) -> b.findElement(By.id("shadow-percent-3")));
        sample.sendKeys(Keys.chord(Keys.CONTROL, "a"), "20", Keys.TAB);
        assertEquals("Set shadow 3 sample", browser.switchTo().activeElement().getAttribute("aria-label"));
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        confirm();
        waitFor().until((b) -> shadows().equals("3@20.0"));
        waitFor().until((b) -> cell("versions", "3", "role").equals("shadow 20 %"));

        browser.findElement(By.cssSelector("#shadow-list button[aria-label='Remove shadow 3']")).click();
        confirm();
        waitFor().until((b) -> shadows().isEmpty());
        waitFor().until((b) -> text("policy-summary").endsWith("no shadows") &&
            b.findElements(By.id("shadow-percent-3")).isEmpty());
        assertEquals("2", api("/admin/models/credit-risk/traffic").path("canary").path("version").asText(), "the rest of the policy stays");
    }

    @Test
    @Order(6)
    void shouldUnloadAVersionAndLoadItBackThroughThePage()
    {
        clickRebuiltButton(By.cssSelector("#versions button[aria-label='Unload version 3']"));
        confirm();
        waitFor().until((b) -> null == AdminClient.version(creditRisk(), "3"));
        waitFor().until((b) -> b.findElements(By.cssSelector("#versions tr[data-version='3']")).isEmpty() &&
            text("action-status").equals("Version 3 unloaded."));

        browser.findElement(By.id("load-version")).sendKeys("3" + Keys.ENTER);
        confirm();
        waitFor().until((b) -> text("action-status").equals("Version 3 loaded."));
        assertEquals("READY", AdminClient.version(creditRisk(), "3").get("state").asText());
        waitFor().until((b) -> cell("versions", "3", "state").equals("READY"));

        // loading it again is a conflict, shown as the API words it
        browser.findElement(By.id("load-apply")).click();
        confirm();
        waitFor().until((b) -> text("action-status").startsWith("Refused:"));
        assertEquals("Refused: version '3' is already ready (HTTP 409)", text("action-status"));
    }

    @Test
    @Order(7)
    void shouldPromoteTheCanaryAndRollBackThroughThePage()
    {
        waitFor().until((b) -> b.findElement(By.id("promote")).isEnabled());
        browser.findElement(By.id("promote")).click();
        confirm();
        waitFor().until((b) -> text("action-status").equals("Promoted."));
        final JsonNode promoted = creditRisk();
        assertEquals("2", promoted.get("traffic").get("champion").asText());
        assertTrue(promoted.get("traffic").get("canary").isNull(), promoted.toString());
        waitFor().until((b) -> cell("versions", "2", "role").equals("champion"));

        waitFor().until((b) -> b.findElement(By.id("rollback")).isEnabled());
        browser.findElement(By.id("rollback")).click();
        awaitConfirmation();
        assertTrue(text("confirm-title").contains("to version 1"), text("confirm-title"));
        browser.findElement(By.id("confirm-ok")).click();
        waitFor().until((b) -> text("action-status").equals("Rolled back."));
        assertEquals("1", creditRisk().get("traffic").get("champion").asText());
        waitFor().until((b) -> cell("versions", "1", "role").equals("champion"));
    }

    /**
     * A rollout started, paused, resumed and aborted through the page, each seen in the API; a change by
     * hand meanwhile refused in the API's words. Its step lasts a minute: nothing but the page moves it.
     */
    @Test
    @Order(8)
    void shouldStartPauseResumeAndAbortARolloutThroughThePage() throws Exception
    {
        startRollout("10, 50", "60", false);
        waitFor().until((b) -> rollout().path("state").asText().equals("running") && rollout().path("percent").asDouble() == 10.0);

        // steering by hand while a rollout steers: the API's 409, word for word
        final WebElement weight = browser.findElement(By.id("canary-percent"));
        weight.sendKeys(Keys.chord(Keys.CONTROL, "a"), "20" + Keys.ENTER);
        confirm();
        final String conflict = AdminClient.json(admin.put("/admin/models/credit-risk/traffic",
            "{\"champion\":\"1\",\"canary\":{\"version\":\"3\",\"percent\":20},\"shadows\":[]}")).get("error").asText();
        assertTrue(conflict.contains("pause or abort it"), conflict);
        waitFor().until((b) -> text("action-status").equals("Refused: " + conflict + " (HTTP 409)"));

        rolloutButton("rollout-pause");
        waitFor().until((b) -> rollout().path("state").asText().equals("paused"));
        waitFor().until((b) -> text("rollout-now").startsWith("paused") &&
            !b.findElements(By.cssSelector("#rollout-now ol.timeline li")).isEmpty());
        screenshot("ops-page-rollout.png");

        rolloutButton("rollout-resume");
        waitFor().until((b) -> rollout().path("state").asText().equals("running"));

        rolloutButton("rollout-abort");
        waitFor().until((b) -> rollout().path("state").asText().equals("aborted"));
        assertTrue(api("/admin/models/credit-risk/traffic").get("canary").isNull(), "traffic back to the champion");
        waitFor().until((b) -> text("rollout-now").startsWith("aborted") && !b.findElement(By.id("rollout-abort")).isEnabled());
    }

    @Test
    @Order(9)
    void shouldConfirmARolloutWaitingForItThroughThePage()
    {
        startRollout("50", "1", true);
        waitFor(Duration.ofSeconds(90)).until((b) -> !rollout().path("state").asText().equals("running"));
        assertEquals("waiting_confirm", rollout().path("state").asText(), rollout().toString());

        rolloutButton("rollout-confirm");
        waitFor().until((b) -> rollout().path("state").asText().equals("promoted"));
        assertEquals("3", creditRisk().get("traffic").get("champion").asText());
        waitFor().until((b) -> text("rollout-now").startsWith("promoted") && cell("versions", "3", "role").equals("champion"));
        assertFalse(browser.findElement(By.id("rollout-abort")).isEnabled(), "nothing to abort once it ended");
    }

    @Test
    @Order(10)
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
        return waitFor(PATIENCE);
    }

    private static WebDriverWait waitFor(final Duration patience)
    {
        return new WebDriverWait(browser, patience);
    }

    private static void awaitConfirmation()
    {
        waitFor().until((b) -> b.findElement(By.id("confirm")).isDisplayed());
    }

    /** The confirmation step every change goes through: the dialog, then its Confirm button. */
    private static void confirm()
    {
        awaitConfirmation();
        browser.findElement(By.id("confirm-ok")).click();
    }

    /** Picks an option of one of the page's selects (rebuilt when their choices change: tried again then). */
    private static void choose(final String select, final String value)
    {
        waitFor().ignoring(StaleElementReferenceException.class).until((b) ->
        {
            new Select(b.findElement(By.id(select))).selectByValue(value);
            return true;
        });
    }

    /** Clicks a button the page rebuilds every poll: a click that lands on a replaced one is tried again. */
    private static void clickRebuiltButton(final By button)
    {
        waitFor().ignoring(StaleElementReferenceException.class).until((b) ->
        {
            b.findElement(button).click();
            return true;
        });
    }

    /** Fills the page's rollout form for version 3 and starts it through the confirmation. */
    private static void startRollout(final String steps, final String stepSeconds, final boolean waitForConfirm)
    {
        waitFor().until((b) -> b.findElement(By.id("rollout-start")).isEnabled() &&
            !b.findElements(By.cssSelector("#rollout-version option[value='3']")).isEmpty());
        choose("rollout-version", "3");
        browser.findElement(By.id("rollout-steps")).sendKeys(Keys.chord(Keys.CONTROL, "a"), steps);
        browser.findElement(By.id("rollout-step-seconds")).sendKeys(Keys.chord(Keys.CONTROL, "a"), stepSeconds);
        browser.findElement(By.id("rollout-min-requests")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "20");
        final WebElement confirmAfterLastStep = browser.findElement(By.id("rollout-wait-confirm"));
        if (confirmAfterLastStep.isSelected() != waitForConfirm)
        {
            confirmAfterLastStep.click();
        }
        browser.findElement(By.id("rollout-start")).click();
        confirm();
        waitFor().until((b) -> text("action-status").equals("Rollout started."));
    }

    /** Pause, Resume, Confirm or Abort, once the page offers it, through the confirmation. */
    private static void rolloutButton(final String id)
    {
        waitFor().until((b) -> b.findElement(By.id(id)).isEnabled());
        browser.findElement(By.id(id)).click();
        confirm();
        waitFor().until((b) -> text("action-status").equals("Rollout: " + id.substring("rollout-".length()) + " done."));
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
        final long shown = intervalEnd();
        final String[] page = {cell("latency", "1", "p50"), cell("latency", "1", "p99"), cell("latency", "1", "p999")};
        for (final JsonNode version : api("/admin/models/credit-risk/latency").get("versions"))
        {
            if (version.get("version").asText().equals("1") && version.get("role").asText().equals("champion"))
            {
                if (version.get("interval_end_millis").asLong() != shown)
                {
                    return false;
                }
                final JsonNode last = version.get("last_interval");
                final double[] figures = {last.get("p50").asDouble(), last.get("p99").asDouble(), last.get("p999").asDouble()};
                for (int i = 0; i < figures.length; i++)
                {
                    assertEquals(figures[i], number(page[i]), figures[i] >= 100 ? 0.5 : 0.05, "the page shows the API's figure");
                }
                return true;
            }
        }
        return false;
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

    /** A GET of the admin API: what the page's actions are checked against. */
    private static JsonNode api(final String path)
    {
        try
        {
            return AdminClient.json(admin.get(path));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** credit-risk as GET /admin/models describes it: versions, traffic, previous champions. */
    private static JsonNode creditRisk()
    {
        for (final JsonNode model : api("/admin/models").get("models"))
        {
            if (model.get("name").asText().equals("credit-risk"))
            {
                return model;
            }
        }
        throw new AssertionError("credit-risk is not served");
    }

    private static JsonNode rollout()
    {
        return api("/admin/models/credit-risk/rollout");
    }

    /** The shadows as the API has them: "version@percent", comma-separated. */
    private static String shadows()
    {
        final StringJoiner shadows = new StringJoiner(",");
        api("/admin/models/credit-risk/traffic").get("shadows").forEach((s) -> shadows.add(s.get("version").asText() + "@" + s.get("percent").asDouble()));
        return shadows.toString();
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
