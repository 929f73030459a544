package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.router.Model;
import io.scoring.router.VersionStatus;
import io.scoring.router.traffic.Buckets;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API of a gateway started on free ports, called over real HTTP: auth, every endpoint,
 * validation, and that changes reach the answers of predict calls.
 */
class AdminApiTest
{
    private static final String TOKEN = "test-admin-token-3f9c";
    private static final String MODEL = "/admin/models/credit-risk";
    private static final String CANARY_10 = "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":10}}";

    private static ScoringGateway gateway;
    private static AdminClient admin;
    private static GatewayClients clients;
    private static DemoTestSet demo;

    @BeforeAll
    static void startGateway() throws Exception
    {
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), TOKEN);
        admin = new AdminClient(gateway.adminPort(), TOKEN);
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    /** Every test starts from the demo's state: versions 1 and 2 ready, version 1 the champion alone. */
    @BeforeEach
    void resetToTheDemoState() throws Exception
    {
        final Model model = gateway.models().model("credit-risk");
        for (final String version : List.of("1", "2"))
        {
            if (null == model.version(version))
            {
                gateway.models().load("credit-risk", version, "test-reset");
            }
        }
        gateway.models().setPolicy("credit-risk", TrafficPolicy.championOnly("1"), "test-reset");
        for (final VersionStatus status : model.versionStatuses())
        {
            if (!Set.of("1", "2").contains(status.version()))
            {
                gateway.models().unload("credit-risk", status.version(), "test-reset");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // auth

    @Test
    void shouldRefuseACallWithoutATokenWith401AndAChallenge() throws Exception
    {
        final HttpResponse<String> response = new AdminClient(gateway.adminPort(), null).get("/admin/models");

        assertEquals(401, response.statusCode());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertTrue(AdminClient.json(response).get("error").asText().contains("Authorization: Bearer"));
    }

    @Test
    void shouldRefuseAWrongTokenWith401EvenOnAChange() throws Exception
    {
        final AdminClient wrong = new AdminClient(gateway.adminPort(), TOKEN + "x");

        assertEquals(401, wrong.get("/admin/models").statusCode());
        assertEquals(401, new AdminClient(gateway.adminPort(), "t").post(MODEL + "/promote").statusCode());
        final HttpResponse<String> change = wrong.put(MODEL + "/traffic", CANARY_10);
        assertEquals(401, change.statusCode());
        assertTrue(change.headers().firstValue("WWW-Authenticate").isPresent());
        assertNull(gateway.models().model("credit-risk").policy().canary(), "the change was not made");
    }

    @Test
    void shouldListEachModelWithItsReadyVersionsTheirRuntimeAndThePolicy() throws Exception
    {
        final HttpResponse<String> response = admin.get("/admin/models");

        assertEquals(200, response.statusCode(), response.body());
        final JsonNode model = AdminClient.json(response).get("models").get(0);
        assertEquals("credit-risk", model.get("name").asText());
        for (final String version : List.of("1", "2"))
        {
            final JsonNode entry = AdminClient.version(model, version);
            assertEquals("READY", entry.get("state").asText());
            final String runtime = gateway.models().model("credit-risk").version(version).runtimeName();
            assertFalse(runtime.isEmpty());
            assertEquals(runtime, entry.get("runtime").asText());
        }
        assertEquals("1", model.get("traffic").get("champion").asText());
        assertTrue(model.get("traffic").get("canary").isNull());
        assertEquals(0, model.get("traffic").get("shadows").size());
    }

    // ---------------------------------------------------------------------------------------------
    // traffic

    @Test
    void shouldSendTheKeysInTheCanarysShareToTheCanaryOnceTheTrafficIsSet() throws Exception
    {
        final HttpResponse<String> put = admin.put(MODEL + "/traffic", CANARY_10);

        assertEquals(200, put.statusCode(), put.body());
        final JsonNode canary = AdminClient.json(put).get("traffic").get("canary");
        assertEquals("2", canary.get("version").asText());
        assertEquals(10.0, canary.get("percent").asDouble());
        assertEquals(AdminClient.json(put).get("traffic"), AdminClient.json(admin.get(MODEL + "/traffic")));

        // the documented bucket function (router's traffic.Buckets), as another tool would compute it
        final long seed = Buckets.seed("credit-risk");
        final List<DemoTestSet.Applicant> canaryKeys = new ArrayList<>();
        final List<DemoTestSet.Applicant> championKeys = new ArrayList<>();
        for (final DemoTestSet.Applicant applicant : demo.applicants)
        {
            (Buckets.bucket(seed, applicant.id()) < 1_000 ? canaryKeys : championKeys).add(applicant);
        }
        assertTrue(canaryKeys.size() > 50 && canaryKeys.size() < 150, "about 10% of 1,000: " + canaryKeys.size());
        for (final DemoTestSet.Applicant applicant : List.of(canaryKeys.get(0), canaryKeys.get(canaryKeys.size() - 1)))
        {
            final PredictResponse answer = clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
            assertEquals("canary", answer.getRole(), applicant.id());
            assertEquals("2", answer.getVersion());
        }
        final PredictResponse champion = clients.scoring.predict(DemoRequests.ownRequest(demo, championKeys.get(0)).build());
        assertEquals("champion", champion.getRole());
        assertEquals("1", champion.getVersion());
    }

    @Test
    void shouldRejectAPercentAbove100With400NamingTheField() throws Exception
    {
        assertBadTraffic("{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":101}}", "canary.percent");
    }

    @Test
    void shouldRejectAPercentWithMoreThanTwoDecimalsWith400() throws Exception
    {
        assertBadTraffic("{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":12.345}}", "two decimals");
    }

    @Test
    void shouldRejectAVersionThatIsNotLoadedWith400() throws Exception
    {
        assertBadTraffic("{\"champion\":\"1\",\"canary\":{\"version\":\"7\",\"percent\":10}}", "'7' is not loaded");
    }

    @Test
    void shouldRejectAShadowThatIsTheChampionWith400() throws Exception
    {
        assertBadTraffic("{\"champion\":\"1\",\"shadows\":[{\"version\":\"1\",\"percent\":100}]}", "shadows[0]");
    }

    @Test
    void shouldRejectMalformedJsonAndUnknownFieldsWith400() throws Exception
    {
        assertBadTraffic("{\"champion\":\"1\",", "malformed JSON");
        assertBadTraffic("{\"champion\":\"1\",\"champion\":\"2\"}", "malformed JSON");
        assertBadTraffic("{\"champion\":\"1\",\"canary_percent\":5}", "unknown field 'canary_percent'");
        assertBadTraffic("", "JSON object");
    }

    private static void assertBadTraffic(final String body, final String reason) throws Exception
    {
        final HttpResponse<String> response = admin.put(MODEL + "/traffic", body);

        assertEquals(400, response.statusCode(), response.body());
        final String error = AdminClient.json(response).get("error").asText();
        assertTrue(error.contains(reason), "'" + error + "' should name " + reason);
        assertEquals(TrafficPolicy.championOnly("1"), gateway.models().model("credit-risk").policy(), "nothing changed");
    }

    @Test
    void shouldAnswer404ForAnUnknownModelOrPathAnd405ForAWrongMethod() throws Exception
    {
        assertEquals(404, admin.put("/admin/models/no-such-model/traffic", CANARY_10).statusCode());
        assertEquals(404, admin.get("/admin/models/no-such-model/traffic").statusCode());
        assertEquals(404, admin.post("/admin/models/no-such-model/promote").statusCode());
        assertEquals(404, admin.post(MODEL + "/versions/7/unload").statusCode());
        assertEquals(404, admin.get("/admin/no-such-thing").statusCode());

        final HttpResponse<String> wrongMethod = admin.send("DELETE", MODEL + "/traffic", null);
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("GET, PUT", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertEquals(405, admin.get(MODEL + "/promote").statusCode());
    }

    // ---------------------------------------------------------------------------------------------
    // lifecycle

    @Test
    void shouldRefuseToUnloadTheChampionWith409() throws Exception
    {
        final HttpResponse<String> response = admin.post(MODEL + "/versions/1/unload");

        assertEquals(409, response.statusCode(), response.body());
        assertTrue(AdminClient.json(response).get("error").asText().contains("carries traffic"));
        assertNotNull(gateway.models().model("credit-risk").version("1"));
    }

    @Test
    void shouldRefuseToPromoteWithoutACanaryWith409() throws Exception
    {
        final HttpResponse<String> response = admin.post(MODEL + "/promote");

        assertEquals(409, response.statusCode(), response.body());
        assertTrue(AdminClient.json(response).get("error").asText().contains("no canary"));
    }

    @Test
    void shouldPromoteTheCanaryAndRollBackToThePreviousChampion() throws Exception
    {
        assertEquals(200, admin.put(MODEL + "/traffic", CANARY_10).statusCode());

        final HttpResponse<String> promoted = admin.post(MODEL + "/promote");
        assertEquals(200, promoted.statusCode(), promoted.body());
        assertEquals("2", AdminClient.json(promoted).get("traffic").get("champion").asText());
        assertTrue(AdminClient.json(promoted).get("traffic").get("canary").isNull());
        assertEquals("1", AdminClient.json(promoted).get("champion_history").get(0).asText());
        assertEquals("2", clients.scoring.predict(DemoRequests.ownRequest(demo, demo.applicants.get(0)).build()).getVersion());

        final HttpResponse<String> rolledBack = admin.post(MODEL + "/rollback");
        assertEquals(200, rolledBack.statusCode(), rolledBack.body());
        assertEquals("1", AdminClient.json(rolledBack).get("traffic").get("champion").asText());
        assertEquals("1", clients.scoring.predict(DemoRequests.ownRequest(demo, demo.applicants.get(0)).build()).getVersion());
    }

    @Test
    void shouldAnswer400ForALoadOfAVersionNotOnDiskAndKeepServing() throws Exception
    {
        final HttpResponse<String> response = admin.post(MODEL + "/versions/9/load");

        assertEquals(400, response.statusCode(), response.body());
        assertTrue(AdminClient.json(response).get("error").asText().contains("'9' failed to load"));
        final JsonNode model = AdminClient.json(admin.get("/admin/models")).get("models").get(0);
        assertEquals("FAILED", AdminClient.version(model, "9").get("state").asText());
        assertEquals("READY", AdminClient.version(model, "1").get("state").asText());
        assertEquals("READY", AdminClient.version(model, "2").get("state").asText());
        final PredictResponse answer = clients.scoring.predict(DemoRequests.ownRequest(demo, demo.applicants.get(0)).build());
        assertEquals("1", answer.getVersion());
    }

    @Test
    void shouldUnloadAnUnusedVersionAndLoadItAgain() throws Exception
    {
        final DemoTestSet.Applicant applicant = demo.applicants.get(0);

        final HttpResponse<String> unloaded = admin.post(MODEL + "/versions/2/unload");
        assertEquals(200, unloaded.statusCode(), unloaded.body());
        assertNull(AdminClient.version(AdminClient.json(unloaded), "2"));
        final StatusRuntimeException pinned = assertThrows(StatusRuntimeException.class,
            () -> clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).setVersion("2").build()));
        assertEquals(Status.Code.NOT_FOUND, pinned.getStatus().getCode());

        final HttpResponse<String> loaded = admin.post(MODEL + "/versions/2/load");
        assertEquals(200, loaded.statusCode(), loaded.body());
        assertEquals("READY", AdminClient.version(AdminClient.json(loaded), "2").get("state").asText());
        final PredictResponse answer = clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).setVersion("2").build());
        assertEquals("2", answer.getVersion());
        assertEquals("pinned", answer.getRole());
        assertEquals(409, admin.post(MODEL + "/versions/2/load").statusCode(), "already loaded");
    }

    // ---------------------------------------------------------------------------------------------
    // audit

    @Test
    void shouldAuditEveryChangeInOrderWithCallerBeforeAndAfter() throws Exception
    {
        final int earlier = AdminClient.json(admin.get("/admin/audit")).get("audit").size();

        assertEquals(200, admin.send("PUT", MODEL + "/traffic", CANARY_10, "X-Scoring-Caller", "alice").statusCode());
        assertEquals(200, admin.send("POST", MODEL + "/promote", null, "X-Scoring-Caller", "bob").statusCode());
        assertEquals(200, admin.post(MODEL + "/rollback").statusCode());
        assertEquals(409, admin.post(MODEL + "/promote").statusCode(), "refused: not a change");

        final JsonNode audit = AdminClient.json(admin.get("/admin/audit")).get("audit");
        assertEquals(earlier + 3, audit.size());
        final JsonNode setTraffic = audit.get(earlier);
        final JsonNode promote = audit.get(earlier + 1);
        final JsonNode rollback = audit.get(earlier + 2);
        assertEquals(List.of("set_traffic", "promote", "rollback"),
            List.of(setTraffic.get("action").asText(), promote.get("action").asText(), rollback.get("action").asText()));
        assertEquals("alice@127.0.0.1", setTraffic.get("caller").asText());
        assertEquals("bob@127.0.0.1", promote.get("caller").asText());
        assertEquals("127.0.0.1", rollback.get("caller").asText());
        for (final JsonNode entry : audit)
        {
            assertFalse(entry.get("time").asText().isEmpty());
            assertEquals("credit-risk", entry.get("model").asText());
        }
        assertTrue(setTraffic.get("before").get("traffic").get("canary").isNull());
        assertEquals("2", setTraffic.get("after").get("traffic").get("canary").get("version").asText());
        assertEquals("1", promote.get("before").get("traffic").get("champion").asText());
        assertEquals("2", promote.get("after").get("traffic").get("champion").asText());
        assertEquals(promote.get("after"), rollback.get("before"));
        assertEquals("1", rollback.get("after").get("traffic").get("champion").asText());
    }

    // ---------------------------------------------------------------------------------------------
    // without a token

    @Test
    void shouldListenOnLoopbackOnlyAndTakeCallsWithoutATokenWhenNoneIsConfigured() throws Exception
    {
        final ScoringGateway open = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), null);
        try
        {
            assertEquals("127.0.0.1", open.adminAddress().getAddress().getHostAddress());
            final AdminClient anyone = new AdminClient(open.adminPort(), null);
            assertEquals(200, anyone.get("/admin/models").statusCode());
            final HttpResponse<String> change = anyone.put(MODEL + "/traffic", CANARY_10);
            assertEquals(200, change.statusCode(), change.body());
            assertEquals("2", open.models().model("credit-risk").policy().canary().version());
        }
        finally
        {
            open.drain();
        }
    }

    @Test
    void shouldListenOnEveryInterfaceWhenATokenIsConfigured()
    {
        assertTrue(gateway.adminAddress().getAddress().isAnyLocalAddress(), gateway.adminAddress().toString());
    }
}
