package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad rollout requests get 400, 404 or 409 with a reason that names what is wrong; nothing starts. One
 * gateway for all: the "never had a rollout" case runs first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutRequestsTest
{
    private static final String PATH = "/admin/models/credit-risk/rollout";
    private static ScoringGateway gateway;
    private static AdminClient admin;

    @BeforeAll
    static void start() throws Exception
    {
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), "");
        admin = new AdminClient(gateway.adminPort(), null);
    }

    @AfterAll
    static void stop() throws Exception
    {
        gateway.drain();
    }

    @Test
    @Order(1)
    void shouldAnswer404ForAModelThatNeverHadARolloutAndForAModelThatIsNotServed() throws Exception
    {
        assertRefused(404, admin.get(PATH), "has had no rollout");
        assertRefused(404, admin.send("POST", "/admin/models/nope/rollout", valid()), "model 'nope' is not served");
        assertRefused(404, admin.post(PATH + "/pause"), "has had no rollout");
    }

    @Test
    void shouldRefuseBadPlansNamingTheField() throws Exception
    {
        final Map<String, String> bodies = Map.ofEntries(
            Map.entry("{\"steps\": [10], \"step_seconds\": 1, \"min_requests\": 10}", "version: required"),
            Map.entry(body("\"9\"", "[10, 50]", "1", "10"), "version: '9' is not loaded"),
            Map.entry(body("\"1\"", "[10, 50]", "1", "10"), "version: '1' is already the champion"),
            Map.entry(body("\"2\"", "[50, 10]", "1", "10"), "steps: must increase"),
            Map.entry(body("\"2\"", "[0, 50]", "1", "10"), "steps[0]: 0 is outside (0, 100]"),
            Map.entry(body("\"2\"", "[10, 150]", "1", "10"), "steps[1]: 150 is outside (0, 100]"),
            Map.entry(body("\"2\"", "[10.125]", "1", "10"), "more than two decimals"),
            Map.entry(body("\"2\"", "[]", "1", "10"), "steps: required"),
            Map.entry(body("\"2\"", "[10]", "0", "10"), "step_seconds: required, a number above 0"),
            Map.entry(body("\"2\"", "[10]", "1", "2.5"), "min_requests: required, a whole number"),
            Map.entry(valid().replace("}", ", \"gate\": \"maybe\"}"), "gate: must be one of [wait, skip]"),
            Map.entry(valid().replace("}", ", \"thresholds\": {\"alpha\": 2}}"), "thresholds.alpha must be from"),
            Map.entry(valid().replace("}", ", \"thresholds\": {\"beta\": 1}}"), "thresholds.beta: unknown"),
            Map.entry(valid().replace("}", ", \"speed\": 1}"), "unknown field 'speed'"),
            Map.entry("{\"version\": ", "malformed JSON"));
        for (final Map.Entry<String, String> bad : bodies.entrySet())
        {
            assertRefused(400, admin.send("POST", PATH, bad.getKey()), bad.getValue());
        }
        assertEquals(null, gateway.models().model("credit-risk").policy().canary(), "nothing started");
    }

    @Test
    void shouldRefuseAStartWhileOneRunsAndAConfirmBeforeTheLastStep() throws Exception
    {
        assertEquals(200, admin.send("POST", PATH, valid()).statusCode());
        try
        {
            assertRefused(409, admin.send("POST", PATH, valid()), "already has a rollout of version '2'");
            assertRefused(409, admin.post(PATH + "/confirm"), "cannot confirm");
            assertRefused(409, admin.post(PATH + "/resume"), "cannot resume");
        }
        finally
        {
            assertEquals(200, admin.post(PATH + "/abort").statusCode());
        }
        assertRefused(409, admin.post(PATH + "/abort"), "it is aborted");
        final JsonNode state = AdminClient.json(admin.get(PATH));
        assertEquals("aborted", state.path("state").asText());
        assertTrue(state.path("reason").asText().startsWith("aborted by"), state.toString());
    }

    private static String valid()
    {
        return body("\"2\"", "[10, 50]", "60", "10");
    }

    private static String body(final String version, final String steps, final String seconds, final String minRequests)
    {
        return "{\"version\": " + version + ", \"steps\": " + steps + ", \"step_seconds\": " + seconds +
            ", \"min_requests\": " + minRequests + "}";
    }

    private static void assertRefused(final int status, final HttpResponse<String> response, final String reason)
        throws Exception
    {
        assertEquals(status, response.statusCode(), response.body());
        final String error = AdminClient.json(response).path("error").asText();
        assertTrue(error.contains(reason), "'" + reason + "' in: " + error);
    }
}
