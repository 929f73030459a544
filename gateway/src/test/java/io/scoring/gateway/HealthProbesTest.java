package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.gateway.cli.AdminCli;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.health.ProbeResult;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health probes through the real gateway (the demo's ONNX models, a copy of the repository with more
 * versions, free ports), its admin API, its CLI, its readiness and its metrics. Golden files are written
 * with the answer the gateway itself gives to the row over V2 REST (a real client), loaded as new
 * versions: one right, one 0.25 off, one naming no required feature. The probes run every second here,
 * and on demand; tests wait for conditions with a deadline, never for time.
 */
class HealthProbesTest
{
    private static final String MODEL = "credit-risk";
    private static final String HEALTH = "/admin/models/" + MODEL + "/health";
    /** Off by this much, a golden row must fail a tolerance of 1e-4 and report it. */
    private static final double WRONG_BY = 0.25;
    /** A golden file whose expected output is right, one whose expected output is wrong, one that is invalid. */
    private static final String RIGHT = "6";
    private static final String WRONG = "7";
    private static final String INVALID = "8";
    /** Two rows: one 0.05 off within its tolerance of 0.1, one 0.01 off beyond its tolerance of 0.001. */
    private static final String TOLERANCES = "9";
    /** An applicant as the golden file names it: numbers, and categories by name. */
    private static final Map<String, Object> APPLICANT = applicant();

    private static Path repository;
    private static ScoringGateway gateway;
    private static AdminClient admin;
    private static GatewayClients clients;
    private static double answer;

    @BeforeAll
    static void startTheGatewayAndLoadVersionsWithGoldenFiles() throws Exception
    {
        repository = RolloutCandidates.repository();
        final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state")).models(repository);
        config.healthProbeContext().intervalSeconds(1);
        config.rolloutContext().tickMillis(50);
        gateway = ScoringGateway.start(config, "");
        admin = new AdminClient(gateway.adminPort(), null);
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());

        answer = versionOnesAnswer();
        goldenVersion(RIGHT, golden(APPLICANT, answer, "typical applicant"));
        goldenVersion(WRONG, golden(APPLICANT, answer < 0.5 ? answer + WRONG_BY : answer - WRONG_BY, "typical applicant"));
        final Map<String, Object> withoutDuration = new LinkedHashMap<>(APPLICANT);
        withoutDuration.remove("duration");
        goldenVersion(INVALID, golden(withoutDuration, answer, "no duration"));
        final double direction = answer < 0.5 ? 1 : -1;
        goldenVersion(TOLERANCES, golden(APPLICANT, answer + direction * 0.05, "loose", 0.1) +
            golden(APPLICANT, answer + direction * 0.01, "tight", 0.001));
    }

    @AfterAll
    static void stop() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    @Test
    void shouldPassAVersionWithoutAGoldenFileOnRowsDerivedFromItsReferenceProfile() throws Exception
    {
        final JsonNode champion = version(AdminClient.json(admin.post(HEALTH + "/run")), "1");
        assertEquals("PASS", champion.path("result").asText(), champion.toString());
        assertEquals("derived", champion.path("golden").asText());
        assertEquals(5, champion.path("rows").asInt(), "the medians and modes, then four quantile rows");
        assertEquals(0.0, champion.path("max_abs_delta").asDouble(), 1e-6, "it answers as it did at load");
        assertEquals("champion", champion.path("role").asText());
        assertEquals("PASS", version(AdminClient.json(admin.get(HEALTH)), "2").path("result").asText());

        final JsonNode none = version(AdminClient.json(admin.get(HEALTH)), RolloutCandidates.IDENTICAL);
        assertEquals("NONE", none.path("result").asText(), "no golden file, no reference profile: " + none);
    }

    @Test
    void shouldPassAVersionWhoseGoldenFileExpectsWhatItAnswers() throws Exception
    {
        final JsonNode right = version(AdminClient.json(admin.post(HEALTH + "/run")), RIGHT);
        assertEquals("PASS", right.path("result").asText(), right.toString());
        assertEquals("file", right.path("golden").asText());
        assertEquals(1, right.path("rows").asInt());
        assertTrue(right.path("max_abs_delta").asDouble() <= 1e-6, right.toString());
        assertTrue(right.path("duration_ms").asDouble() >= 0);
    }

    @Test
    void shouldFailAVersionWhoseGoldenFileExpectsAWrongOutputAndReportItsDelta() throws Exception
    {
        final JsonNode wrong = version(AdminClient.json(admin.post(HEALTH + "/run")), WRONG);
        assertEquals("FAIL", wrong.path("result").asText(), wrong.toString());
        assertEquals(1, wrong.path("failed_rows").asInt());
        assertEquals(WRONG_BY, wrong.path("max_abs_delta").asDouble(), 1e-5, wrong.toString());
        assertEquals(HealthProbes.Context.TOLERANCE_DEFAULT, wrong.path("tolerance").asDouble());
        assertTrue(wrong.path("reason").asText().contains("'typical applicant'") &&
            wrong.path("reason").asText().contains("|Δscore| 0.25"), wrong.path("reason").asText());
        assertTrue(wrong.path("failed_runs").asLong() >= 1);

        // the gateway stays ready; its readiness names the failing version first
        final HttpResponse<String> ready = clients.get("/v2/health/ready");
        assertEquals(200, ready.statusCode());
        final JsonNode first = AdminClient.JSON.readTree(ready.body()).path("health_probes").path(0);
        assertEquals("FAIL", first.path("result").asText(), ready.body());
        assertTrue(first.path("reason").asText().contains("|Δscore|"), ready.body());
        assertTrue(AdminClient.JSON.readTree(clients.get("/v2/models/" + MODEL + "/ready").body()).path("health_probes").size() >= 5);
    }

    @Test
    void shouldHoldEachRowToItsOwnToleranceAndNameTheFailingOne() throws Exception
    {
        final JsonNode mixed = version(AdminClient.json(admin.get(HEALTH)), TOLERANCES);
        assertEquals("FAIL", mixed.path("result").asText(), mixed.toString());
        assertEquals(2, mixed.path("rows").asInt());
        assertEquals(1, mixed.path("failed_rows").asInt(), "the loose row passes");
        assertEquals(0.05, mixed.path("max_abs_delta").asDouble(), 1e-5, "the largest |Δscore| is the passing row's");
        assertTrue(mixed.path("reason").asText().contains("worst row 'tight'") &&
            mixed.path("reason").asText().contains("tolerance 0.00100000"), mixed.path("reason").asText());
    }

    @Test
    void shouldFailAVersionWhoseGoldenFileIsInvalidNamingTheLineAndTheField() throws Exception
    {
        final JsonNode invalid = version(AdminClient.json(admin.get(HEALTH)), INVALID);
        assertEquals("FAIL", invalid.path("result").asText(), invalid.toString());
        assertEquals("golden.jsonl line 1: features.duration: required (the feature has no default in model.json)",
            invalid.path("reason").asText());
        assertNotNull(gateway.models().model(MODEL).version(INVALID), "the version loads and serves all the same");
    }

    @Test
    void shouldExportEachVersionsProbeAsPrometheusMetrics() throws Exception
    {
        admin.post(HEALTH + "/run");
        final String metrics = clients.get("/metrics").body();
        assertTrue(metrics.contains("scoring_health_probe_passed{model=\"credit-risk\",version=\"1\"} 1.0"), metrics);
        assertTrue(metrics.contains("scoring_health_probe_passed{model=\"credit-risk\",version=\"" + WRONG + "\"} 0.0"));
        assertEquals(WRONG_BY, sample(metrics, "scoring_health_probe_score_delta_max{model=\"credit-risk\",version=\"" + WRONG + "\"}"),
            1e-5);
        assertTrue(metrics.contains("scoring_health_probe_duration_seconds{model=\"credit-risk\",version=\"1\"}"));
        assertTrue(metrics.contains("scoring_health_probe_runs_total{model=\"credit-risk\",result=\"fail\",version=\"" + WRONG + "\"}"));
        assertTrue(!metrics.contains("scoring_health_probe_passed{model=\"credit-risk\",version=\"" + RolloutCandidates.IDENTICAL + "\"}"),
            "nothing to probe, no verdict to alert on");
    }

    @Test
    void shouldProbeEveryVersionAtTheIntervalOnItsOwn() throws Exception
    {
        final long before = version(AdminClient.json(admin.get(HEALTH)), "2").path("runs").asLong();
        final JsonNode later = awaitHealth((h) -> version(h, "2").path("runs").asLong() >= before + 2);
        assertEquals("PASS", version(later, "2").path("result").asText());
    }

    @Test
    void shouldRollBackARolloutWhoseCandidateFailsItsProbeAtTheGateBeforeAnyLiveTrafficAndAuditTheProbesFigures()
        throws Exception
    {
        assertEquals(200, startRollout(WRONG).statusCode());

        final JsonNode done = awaitRollout((r) -> r.path("state").asText().equals("rolled_back"));
        final String reason = done.path("reason").asText();
        assertTrue(reason.startsWith("health_probe failed at the replay gate: the candidate's health probe failed: "), reason);
        assertTrue(reason.contains("|Δscore| 0.25"), reason);
        assertEquals(0, done.path("steps").size(), "no step began");
        assertEquals("health_probe", done.path("checks").path(0).path("name").asText(), done.toString());
        assertNull(gateway.models().model(MODEL).policy().canary(), "traffic back to the champion");
        assertNotNull(gateway.models().model(MODEL).version(WRONG), "the candidate stays loaded");

        JsonNode rolledBack = null;
        for (final JsonNode entry : AdminClient.json(admin.get("/admin/audit")).path("audit"))
        {
            rolledBack = entry.path("action").asText().equals("rollout rolled_back") ? entry : rolledBack;
        }
        assertNotNull(rolledBack, "the audit log has the decision");
        final JsonNode check = rolledBack.path("after").path("figures").path(0);
        assertEquals("health_probe", check.path("name").asText(), rolledBack.toString());
        assertEquals(WRONG_BY, check.path("statistic").asDouble(), 1e-5);
        assertEquals(WRONG_BY, check.path("figures").path("max_abs_delta").asDouble(), 1e-5);
        assertTrue(clients.get("/metrics").body().contains("scoring_rollout_rollbacks_total{check=\"health_probe\",model=\"credit-risk\"}"));
    }

    /**
     * A candidate that passed its probe takes its canary share; a run that fails later rolls it back at once.
     * The test makes the probe thread's call itself, with a failed result of the candidate, at a moment it
     * chooses: no real version can be made to fail after it loaded.
     */
    @Test
    void shouldRollBackARolloutAtItsStepWhenACandidatesProbeFailsMidway() throws Exception
    {
        assertEquals(200, startRollout(RIGHT).statusCode());
        awaitRollout((r) -> r.path("step").asInt() == 1 && r.path("percent").asDouble() == 10.0);
        assertEquals(RIGHT, gateway.models().model(MODEL).policy().canary().version());

        final ProbeResult failed = gateway.probes().last(MODEL, WRONG);
        gateway.rollouts().onProbeFailed(new ProbeResult(MODEL, RIGHT, failed.verdict(), failed.reason(), failed.golden(),
            failed.rows(), failed.failedRows(), failed.maxAbsDelta(), failed.tolerance(), failed.durationNanos(), failed.checkedMillis()));

        final JsonNode done = AdminClient.json(admin.get("/admin/models/" + MODEL + "/rollout"));
        assertEquals("rolled_back", done.path("state").asText(), done.toString());
        assertTrue(done.path("reason").asText().startsWith("health_probe failed at step 1: "), done.path("reason").asText());
        assertNull(gateway.models().model(MODEL).policy().canary(), "traffic back to the champion");
    }

    private static HttpResponse<String> startRollout(final String candidate) throws Exception
    {
        gateway.models().setPolicy(MODEL, TrafficPolicy.championOnly("1"), "test");
        return admin.send("POST", "/admin/models/" + MODEL + "/rollout", "{\"version\": \"" + candidate +
            "\", \"steps\": [10, 50], \"step_seconds\": 3600, \"min_requests\": 1000000, \"gate\": \"skip\", " +
            "\"thresholds\": {\"replay_min_rows\": 1000000}}");
    }

    @Test
    void shouldShowAndRunTheProbesFromTheCli() throws Exception
    {
        final Map<String, String> env = Map.of("SCORING_ADMIN_URL", "http://127.0.0.1:" + gateway.adminPort());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, AdminCli.run(new String[] {"health-run", MODEL}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
        assertEquals("FAIL", version(AdminClient.JSON.readTree(out.toString(StandardCharsets.UTF_8)), WRONG).path("result").asText());
        assertEquals(0, AdminCli.run(new String[] {"health", MODEL}, env, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream())));
        assertEquals(404, admin.get("/admin/models/no-such-model/health").statusCode());
    }

    @Test
    void shouldReadTheIntervalAndTheToleranceFromFlagsAndRefuseBadOnesNamingThem()
    {
        final GatewayConfig config = GatewayConfig.resolve(new String[] {"--health-probe-interval-s", "5",
            "--health-probe-tolerance=0.01"}, Map.of());
        assertEquals(5, config.healthProbeContext().intervalSeconds());
        assertEquals(0.01, config.healthProbeContext().tolerance());
        assertEquals(60, GatewayConfig.resolve(new String[0], Map.of()).healthProbeContext().intervalSeconds());
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[] {"--health-probe-interval-s", "0"}, Map.of()));
        assertTrue(zero.getMessage().contains("health-probe-interval-s"), zero.getMessage());
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[0], Map.of("SCORING_HEALTH_PROBE_TOLERANCE", "-1")));
        assertTrue(negative.getMessage().contains("health-probe-tolerance"), negative.getMessage());
    }

    // ---------------------------------------------------------------------------------------------

    private static Map<String, Object> applicant()
    {
        final Map<String, Object> features = new LinkedHashMap<>();
        features.put("checking_status", "no checking");
        features.put("duration", 24);
        features.put("credit_history", "existing paid");
        features.put("purpose", "radio/tv");
        features.put("credit_amount", 2500);
        features.put("savings_status", "<100");
        features.put("employment", "1<=X<4");
        features.put("installment_commitment", 3);
        features.put("personal_status", "male single");
        features.put("other_parties", "none");
        features.put("residence_since", 3);
        features.put("property_magnitude", "car");
        features.put("age", 33);
        features.put("other_payment_plans", "none");
        features.put("housing", "own");
        features.put("existing_credits", 1);
        features.put("job", "skilled");
        features.put("num_dependents", 1);
        features.put("own_telephone", "none");
        features.put("foreign_worker", "yes");
        return features;
    }

    /** Version 1's answer to {@link #APPLICANT}, asked over V2 REST with the complete input tensor. */
    private static double versionOnesAnswer() throws Exception
    {
        final JsonNode modelJson = AdminClient.JSON.readTree(repository.resolve(MODEL).resolve("model.json").toFile());
        final ArrayNode data = AdminClient.JSON.createArrayNode();
        for (final JsonNode feature : modelJson.path("features"))
        {
            final Object value = APPLICANT.get(feature.path("name").asText());
            if (value instanceof String category)
            {
                int code = -1;
                for (int i = 0; i < feature.path("categories").size(); i++)
                {
                    code = feature.path("categories").get(i).asText().equals(category) ? i : code;
                }
                assertTrue(code >= 0, category);
                data.add(code);
            }
            else
            {
                data.add(((Number)value).doubleValue());
            }
        }
        final ObjectNode request = AdminClient.JSON.createObjectNode();
        request.putArray("inputs").addObject().put("name", "features").put("datatype", "FP32")
            .<ObjectNode>set("shape", AdminClient.JSON.createArrayNode().add(1).add(data.size())).set("data", data);
        final HttpResponse<String> response = clients.post("/v2/models/" + MODEL + "/versions/1/infer", request.toString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode value = AdminClient.JSON.readTree(response.body()).path("outputs").path(0).path("data");
        while (value.isArray())
        {
            value = value.path(0);
        }
        assertTrue(value.isNumber(), response.body());
        return value.asDouble();
    }

    private static String golden(final Map<String, Object> features, final double expected, final String name)
    {
        final ObjectNode line = AdminClient.JSON.createObjectNode().put("name", name);
        line.set("features", AdminClient.JSON.valueToTree(features));
        line.putObject("expected").put("probability", expected);
        return line + "\n";
    }

    private static String golden(final Map<String, Object> features, final double expected, final String name, final double tolerance)
        throws Exception
    {
        final ObjectNode line = (ObjectNode)AdminClient.JSON.readTree(golden(features, expected, name));
        return line.put("tolerance", tolerance) + "\n";
    }

    /** A copy of version 1's model with this golden file, loaded through the admin API. */
    private static void goldenVersion(final String version, final String goldenLines) throws Exception
    {
        final Path dir = Files.createDirectories(repository.resolve(MODEL).resolve(version));
        Files.copy(repository.resolve(MODEL).resolve("1").resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.writeString(dir.resolve("golden.jsonl"), goldenLines);
        final HttpResponse<String> loaded = admin.post("/admin/models/" + MODEL + "/versions/" + version + "/load");
        assertEquals(200, loaded.statusCode(), loaded.body());
    }

    /** The value of the scrape's line for this series. */
    private static double sample(final String scrape, final String series)
    {
        for (final String line : scrape.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + series + " in the scrape");
    }

    private static JsonNode version(final JsonNode health, final String version)
    {
        for (final JsonNode entry : health.path("versions"))
        {
            if (entry.path("version").asText().equals(version))
            {
                return entry;
            }
        }
        throw new AssertionError("no version " + version + " in " + health);
    }

    private static JsonNode awaitHealth(final Predicate<JsonNode> condition) throws Exception
    {
        return await(HEALTH, condition);
    }

    private static JsonNode awaitRollout(final Predicate<JsonNode> condition) throws Exception
    {
        return await("/admin/models/" + MODEL + "/rollout", condition);
    }

    /** Polls an admin GET until the condition holds; fails after 60 s with the last answer. */
    private static JsonNode await(final String path, final Predicate<JsonNode> condition) throws Exception
    {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode last = null;
        while (System.nanoTime() < deadline)
        {
            last = AdminClient.json(admin.get(path));
            if (condition.test(last))
            {
                return last;
            }
            Thread.onSpinWait();
            Thread.sleep(20); // a poll interval, not a verdict: the deadline decides
        }
        throw new AssertionError("not within 60 s: " + last);
    }
}
