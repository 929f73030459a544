package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Admin changes survive the process: the gateway runs as a child JVM on one state directory, is
 * stopped with SIGTERM or {@code kill -9}, and a new one on the same directory serves the same
 * versions under the same policy with the same champion history, and keeps the audit log, growing.
 */
class PolicyPersistenceTest
{
    private static final String TOKEN = "persistence-test-token";
    private static final Map<String, String> ENV = Map.of("SCORING_ADMIN_TOKEN", TOKEN);
    private static final String MODEL = "/admin/models/credit-risk";
    private static final String CANARY_25 = "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":25}}";

    @TempDir
    Path stateDir;

    @Test
    void shouldRestoreThePolicyChampionHistoryAndVersionsAfterSigterm() throws Exception
    {
        final JsonNode models;
        final JsonNode audit;
        try (GatewayProcess first = GatewayProcess.start(stateDir, ENV))
        {
            final AdminClient admin = new AdminClient(first.adminPort, TOKEN);
            ok(admin.put(MODEL + "/traffic", CANARY_25));
            ok(admin.post(MODEL + "/promote"));
            ok(admin.put(MODEL + "/traffic", "{\"champion\":\"2\",\"shadows\":[{\"version\":\"1\",\"percent\":50}]}"));
            models = AdminClient.json(ok(admin.get("/admin/models")));
            audit = AdminClient.json(ok(admin.get("/admin/audit"))).get("audit");
            first.terminate();
        }
        final JsonNode model = models.get("models").get(0);
        assertEquals("2", model.get("traffic").get("champion").asText());
        assertEquals("1", model.get("champion_history").get(0).asText());
        assertEquals(3, audit.size());

        try (GatewayProcess second = GatewayProcess.start(stateDir, ENV))
        {
            final AdminClient admin = new AdminClient(second.adminPort, TOKEN);
            assertEquals(models, AdminClient.json(ok(admin.get("/admin/models"))));
            assertEquals(audit, AdminClient.json(ok(admin.get("/admin/audit"))).get("audit"));

            ok(admin.post(MODEL + "/rollback"));
            final JsonNode grown = AdminClient.json(ok(admin.get("/admin/audit"))).get("audit");
            assertAuditGrew(audit, grown, "rollback");
            second.terminate();
        }
    }

    @Test
    void shouldRestoreTheLastAcknowledgedChangeAfterKill9() throws Exception
    {
        final JsonNode acknowledged;
        try (GatewayProcess first = GatewayProcess.start(stateDir, ENV))
        {
            final AdminClient admin = new AdminClient(first.adminPort, TOKEN);
            ok(admin.put(MODEL + "/traffic", CANARY_25));
            ok(admin.post(MODEL + "/promote"));
            ok(admin.put(MODEL + "/traffic", "{\"champion\":\"2\"}"));
            acknowledged = AdminClient.json(ok(admin.post(MODEL + "/versions/1/unload")));
            first.kill9(); // right after the acknowledgement: nothing more is written
        }
        assertEquals(1, acknowledged.get("versions").size(), "only version 2 stays loaded");

        try (GatewayProcess second = GatewayProcess.start(stateDir, ENV))
        {
            final AdminClient admin = new AdminClient(second.adminPort, TOKEN);
            assertEquals(acknowledged, AdminClient.json(ok(admin.get("/admin/models"))).get("models").get(0));
            final JsonNode audit = AdminClient.json(ok(admin.get("/admin/audit"))).get("audit");
            assertEquals(4, audit.size(), audit.toString());
            assertEquals("unload 1", audit.get(3).get("action").asText());
            assertEquals(acknowledged, audit.get(3).get("after"));

            final JsonNode reloaded = AdminClient.json(ok(admin.post(MODEL + "/versions/1/load")));
            assertEquals("READY", AdminClient.version(reloaded, "1").get("state").asText());
            final JsonNode afterLoad = AdminClient.json(ok(admin.get("/admin/models"))).get("models").get(0);
            assertAuditGrew(audit, AdminClient.json(ok(admin.get("/admin/audit"))).get("audit"), "load 1");
            second.kill9();

            try (GatewayProcess third = GatewayProcess.start(stateDir, ENV))
            {
                final AdminClient again = new AdminClient(third.adminPort, TOKEN);
                assertEquals(afterLoad, AdminClient.json(ok(again.get("/admin/models"))).get("models").get(0));
                third.terminate();
            }
        }
    }

    /** The new audit holds the old one unchanged, then one more entry: the given action. */
    private static void assertAuditGrew(final JsonNode before, final JsonNode after, final String action)
    {
        assertEquals(before.size() + 1, after.size(), after.toString());
        for (int i = 0; i < before.size(); i++)
        {
            assertEquals(before.get(i), after.get(i), "entry " + i + " is unchanged");
        }
        assertEquals(action, after.get(before.size()).get("action").asText());
        final Instant last = Instant.parse(before.get(before.size() - 1).get("time").asText());
        assertFalse(Instant.parse(after.get(before.size()).get("time").asText()).isBefore(last));
    }

    private static HttpResponse<String> ok(final HttpResponse<String> response)
    {
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }
}
