package io.scoring.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops page's files as the admin port serves them from the jar, to a gateway with an admin token:
 * no token needed for the files, the token still needed for every admin call, the content types and
 * caching a browser relies on, and nothing fetched from another origin.
 */
class OpsPageAssetsTest
{
    private static final String TOKEN = "assets-test-token-51b0";

    private static ScoringGateway gateway;
    private static AdminClient anonymous;

    @BeforeAll
    static void startGateway() throws Exception
    {
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), TOKEN);
        anonymous = new AdminClient(gateway.adminPort(), null);
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        gateway.drain();
    }

    @Test
    void shouldServeThePageWithoutATokenAndAskForTheTokenInAPasswordField() throws Exception
    {
        final HttpResponse<String> page = anonymous.get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(""));
        assertTrue(page.body().contains("<input type=\"password\" id=\"token\""), "the contract's token field");
        assertTrue(page.headers().firstValue("content-security-policy").orElse("").contains("default-src 'none'"));
        assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));

        assertEquals(401, anonymous.get("/admin/models").statusCode(), "the data still needs the token");
    }

    @Test
    void shouldServeTheScriptStyleAndChartLibraryWithTheirTypesAndLicence() throws Exception
    {
        assertType("/ops/ops.js", "text/javascript; charset=utf-8", "'use strict'");
        assertType("/ops/ops.css", "text/css; charset=utf-8", ":root");
        assertType("/ops/uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot");
        assertType("/ops/uPlot.min.css", "text/css; charset=utf-8", ".uplot");
        assertType("/ops/uPlot.LICENSE.txt", "text/plain; charset=utf-8", "MIT License");
        assertEquals(401, anonymous.get("/ops/../admin/models").statusCode(), "no way around the token through the files");
        assertEquals(401, anonymous.get("/ops/secret.json").statusCode(), "only the page's own files are open");
    }

    @Test
    void shouldLetTheBrowserRevalidateWithItsETagAndNeverCacheAdminData() throws Exception
    {
        final HttpResponse<String> first = anonymous.get("/ops/ops.js");
        assertEquals("no-cache", first.headers().firstValue("cache-control").orElse(""));
        final String etag = first.headers().firstValue("etag").orElseThrow();
        final HttpResponse<String> again = anonymous.send("GET", "/ops/ops.js", null, "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());

        final HttpResponse<String> data = new AdminClient(gateway.adminPort(), TOKEN).get("/admin/models");
        assertEquals(200, data.statusCode());
        assertEquals("no-store", data.headers().firstValue("cache-control").orElse(""));
    }

    @Test
    void shouldRefuseAnythingButGetOnThePage() throws Exception
    {
        final HttpResponse<String> post = anonymous.send("POST", "/", "x");
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("allow").orElse(""));
    }

    /** The page works air-gapped: its own files name no other origin, so the browser fetches nothing else. */
    @Test
    void shouldReferToNoOtherOrigin() throws Exception
    {
        for (final String path : List.of("/", "/ops/ops.js", "/ops/ops.css"))
        {
            final String body = anonymous.get(path).body();
            assertFalse(body.contains("http://") || body.contains("https://") || body.contains("src=\"//"), path);
        }
    }

    private static void assertType(final String path, final String contentType, final String content) throws Exception
    {
        final HttpResponse<String> response = anonymous.get(path);
        assertEquals(200, response.statusCode(), path);
        assertEquals(contentType, response.headers().firstValue("content-type").orElse(""), path);
        assertTrue(response.body().contains(content), path);
    }
}
