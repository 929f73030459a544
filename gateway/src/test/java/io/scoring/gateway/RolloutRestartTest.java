package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rollout survives {@code kill -9} of its gateway: the gateway runs as a child JVM on one state
 * directory under live traffic, is killed in the middle of a step, and a new process on the same
 * directory resumes the rollout at that step (its start kept) and carries it to promotion.
 */
class RolloutRestartTest
{
    private static final String MODEL = "credit-risk";
    private static final String PATH = "/admin/models/" + MODEL + "/rollout";
    private static final Map<String, String> ENV = Map.of("SCORING_ADMIN_TOKEN", "");

    @TempDir
    Path stateDir;

    @Test
    void shouldResumeARolloutKilledMidStepAtThatStepAndPromoteIt() throws Exception
    {
        final Path repository = RolloutCandidates.repository();
        final String[] args = {"--models", repository.toString(), "--rollout-tick-ms", "50"};
        final List<GatewayProcess> fleet = new ArrayList<>();
        fleet.add(GatewayProcess.start(stateDir, ENV, args));
        try (DemoTraffic traffic = DemoTraffic.to(fleet))
        {
            traffic.awaitMore(200);
            final AdminClient first = new AdminClient(fleet.get(0).adminPort, null);
            // the score and latency checks are opened wide: this test is about where the rollout resumes, not
            // the judge's chance rollbacks of an identical candidate (JudgeErrorRatesTest measures those)
            final HttpResponse<String> started = first.send("POST", PATH, "{\"version\": \"" + RolloutCandidates.IDENTICAL +
                "\", \"steps\": [10, 50], \"step_seconds\": 3, \"min_requests\": 50, \"max_wait_seconds\": 120, " +
                "\"gate\": \"skip\", \"thresholds\": {\"replay_min_rows\": 1000000, \"psi_max\": 100, \"ks_max_d\": 1, \"latency_tolerance\": 100}}");
            assertEquals(200, started.statusCode(), started.body());
            awaitState(first, (s) -> s.path("phase").asText().equals("step"));

            fleet.get(0).kill9();
            final JsonNode saved = AdminClient.JSON.readTree(Files.readString(stateDir.resolve("rollout-" + MODEL + ".json")))
                .path("rollout");
            assertEquals("running", saved.path("state").asText(), "killed mid-rollout: " + saved);

            fleet.set(0, GatewayProcess.start(stateDir, ENV, args));
            traffic.replace(0, fleet.get(0));
            final AdminClient second = new AdminClient(fleet.get(0).adminPort, null);
            final JsonNode resumed = state(second);
            assertEquals(saved.path("id"), resumed.path("id"));
            assertEquals(saved.path("step"), resumed.path("step"), "resumed at the step it was killed in");
            assertEquals(saved.path("step_started"), resumed.path("step_started"), "the step's clock kept");
            assertTrue(resumed.path("driving").asBoolean());
            assertTrue(events(resumed).contains("resumed_after_restart"), resumed.path("timeline").toString());

            final JsonNode done = awaitState(second, (s) -> s.path("state").asText().equals("promoted"));
            assertEquals(2, done.path("steps").size(), done.toString());
            assertEquals(List.of("started", "gate_skipped", "step_started"), events(done).subList(0, 3));
            assertTrue(events(done).indexOf("resumed_after_restart") < events(done).indexOf("promoted"));
            assertEquals(RolloutCandidates.IDENTICAL, AdminClient.json(second.get("/admin/models/" + MODEL + "/traffic"))
                .path("champion").asText());
            final List<String> actions = new ArrayList<>();
            AdminClient.json(second.get("/admin/audit")).path("audit").forEach((e) -> actions.add(e.path("action").asText()));
            assertTrue(actions.contains("rollout resumed after restart"), actions.toString());
            assertTrue(actions.contains("rollout promoted"), actions.toString());
            fleet.get(0).terminate();
        }
        finally
        {
            fleet.forEach(GatewayProcess::close);
        }
    }

    static List<String> events(final JsonNode rollout)
    {
        final List<String> events = new ArrayList<>();
        rollout.path("timeline").forEach((e) -> events.add(e.path("event").asText()));
        return events;
    }

    static JsonNode state(final AdminClient admin) throws Exception
    {
        final HttpResponse<String> response = admin.get(PATH);
        assertEquals(200, response.statusCode(), response.body());
        return AdminClient.json(response);
    }

    /**
     * Polls the state until it fits (a replica that has not yet seen the rollout answers 404 meanwhile);
     * the steps take seconds, the test waits for them, not for a clock.
     */
    static JsonNode awaitState(final AdminClient admin, final Predicate<JsonNode> done) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode last = AdminClient.JSON.createObjectNode();
        while (System.nanoTime() < deadline)
        {
            final HttpResponse<String> response = admin.get(PATH);
            assertTrue(response.statusCode() == 200 || response.statusCode() == 404, response.body());
            last = AdminClient.json(response);
            if (response.statusCode() == 200 && done.test(last))
            {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not reached in 90 s: " + last);
    }
}
