package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.FluentWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops page's essentials in Firefox (Debian's firefox-esr, headless, over WebDriver BiDi: see
 * {@link FirefoxBiDi}) against a gateway started on free ports with an admin token: a wrong token
 * refused with a clear message, the demo model's versions and traffic policy once signed in with the
 * keyboard, and the canary weight set through the page's confirmation, seen in the admin API.
 * {@link OpsPageBrowserTest} covers the rest in Chromium.
 *
 * <p>Skips, saying why, only where no firefox-esr is installed ({@code .ci/run} installs it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsPageFirefoxTest
{
    private static final String TOKEN = "ops-page-firefox-token-3c9a";
    private static final Path FIREFOX = Path.of(System.getProperty("ops.firefox", "/usr/bin/firefox-esr"));
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static ScoringGateway gateway;
    private static AdminClient admin;
    private static FirefoxBiDi firefox;

    @BeforeAll
    static void startGatewayAndFirefox() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(FIREFOX), "no Firefox to test the ops page in: " + FIREFOX +
            " is needed (apt-get install -y firefox-esr; .ci/run does it)");
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), TOKEN);
        admin = new AdminClient(gateway.adminPort(), TOKEN);
        assertEquals(200, admin.put("/admin/models/credit-risk/traffic",
            "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":10},\"shadows\":[]}").statusCode());
        firefox = FirefoxBiDi.start(FIREFOX);
    }

    @AfterAll
    static void stopEverything() throws Exception
    {
        if (null != firefox)
        {
            firefox.close();
        }
        if (null != gateway)
        {
            gateway.drain();
        }
    }

    @Test
    @Order(1)
    void shouldRefuseAWrongTokenWithAClearMessage()
    {
        firefox.navigate("http://127.0.0.1:" + gateway.adminPort() + "/");
        // the page asks for the token and puts the caret in its password field
        awaitTrue("document.activeElement === document.querySelector('input[type=password]#token')");
        firefox.type("not-the-token", Keys.ENTER);

        awaitTrue("document.getElementById('signin-error').textContent.includes('the bearer token is wrong')");
        assertEquals(Boolean.TRUE, firefox.evaluate("document.getElementById('dashboard').hidden"), "nothing behind a wrong token");
        assertEquals(0.0, firefox.evaluate("localStorage.length"));
        assertFalse(((String)firefox.evaluate("location.href")).contains("not-the-token"));
    }

    @Test
    @Order(2)
    void shouldShowTheDemoModelsVersionsAndTrafficPolicy()
    {
        // after a refusal the field keeps the focus with its text selected: typing replaces it
        awaitTrue("document.activeElement.id === 'token'");
        firefox.type(TOKEN, Keys.ENTER);

        awaitTrue("!document.getElementById('dashboard').hidden");
        awaitTrue(cell("1", "role") + " === 'champion' && " + cell("2", "role") + " === 'canary 10 %'");
        assertEquals("READY", firefox.evaluate(cell("1", "state")));
        assertEquals("READY", firefox.evaluate(cell("2", "state")));
        assertEquals("champion 1 · canary 2 at 10 % · no shadows", text("policy-summary"));
        assertTrue(((String)firefox.evaluate("document.body.innerText")).contains("credit-risk"), "the model's name");
        assertFalse(((String)firefox.evaluate("location.href")).contains(TOKEN), "the token is never in a URL");
    }

    @Test
    @Order(3)
    void shouldSetTheCanaryWeightAfterTheConfirmation() throws Exception
    {
        firefox.click("#canary-percent");
        firefox.selectAll();
        firefox.type("30", Keys.ENTER);

        awaitTrue("document.getElementById('confirm').open");
        assertTrue(text("confirm-detail").contains("canary 2 at 30 %"), text("confirm-detail"));
        assertEquals(10.0, canaryPercent(), "nothing changes before the confirmation");
        firefox.click("#confirm-ok");

        awaitTrue("document.getElementById('action-status').textContent.includes('30 %')");
        assertEquals(30.0, canaryPercent());
        final JsonNode audit = AdminClient.json(admin.get("/admin/audit")).get("audit");
        assertTrue(audit.get(audit.size() - 1).get("caller").asText().startsWith("ops-page@"),
            "the change went through the admin API and its audit log: " + audit.get(audit.size() - 1));
        awaitTrue(cell("2", "role") + " === 'canary 30 %'");
    }

    // ---------------------------------------------------------------------------------------------

    private static void awaitTrue(final String expression)
    {
        new FluentWait<>(firefox).withTimeout(PATIENCE).pollingEvery(Duration.ofMillis(100)).withMessage(expression)
            .until((browser) -> Boolean.TRUE.equals(browser.evaluate(expression)));
    }

    private static String text(final String id)
    {
        return ((String)firefox.evaluate("document.getElementById(" + FirefoxBiDi.quoted(id) + ").textContent")).strip();
    }

    /** An expression for the text of a version's cell in the versions table ('' while there is none). */
    private static String cell(final String version, final String column)
    {
        return "(document.querySelector(\"#versions tr[data-version='" + version + "'] td." + column +
            "\")?.textContent.trim() ?? '')";
    }

    private static double canaryPercent() throws Exception
    {
        return AdminClient.json(admin.get("/admin/models/credit-risk/traffic")).get("canary").get("percent").asDouble();
    }
}
