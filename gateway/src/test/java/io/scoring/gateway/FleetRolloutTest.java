package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.scoring.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.scoring.gateway.RolloutRestartTest.awaitState;
import static io.scoring.gateway.RolloutRestartTest.events;
import static io.scoring.gateway.RolloutRestartTest.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts across a fleet: three gateway processes share one real Redis ({@code --state-store}) and
 * take traffic from a client that retries only connection failures on the next replica. One replica
 * drives each rollout (its lease), every replica shows it, refuses manual steering and hands pause and
 * resume to the driver, and the judge
 * sees every replica's requests. An identical candidate is promoted although its driver is killed
 * ({@code kill -9}) in the middle of a step: another replica takes it over at that step. An inverted
 * candidate is rolled back at step one on the fleet's scores, and a third is aborted through a replica
 * that does not drive it. No request is dropped by the survivors.
 */
class FleetRolloutTest
{
    private static final String MODEL = "credit-risk";
    private static final String PATH = "/admin/models/" + MODEL + "/rollout";
    /** Short: a dead driver is replaced within two seconds. */
    private static final String LEASE_MS = "2000";

    @Test
    void shouldDriveEachRolloutFromOneReplicaJudgeTheFleetsRequestsAndSurviveTheDriversKill9() throws Exception
    {
        final List<GatewayProcess> fleet = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort())
        {
            final String repository = RolloutCandidates.repository().toString();
            for (int i = 0; i < 3; i++)
            {
                fleet.add(GatewayProcess.start(Files.createTempDirectory("scoring-state"), Map.of("SCORING_ADMIN_TOKEN", ""),
                    "--models", repository, "--state-store", redis.uri(), "--rollout-tick-ms", "50",
                    "--rollout-lease-ms", LEASE_MS, "--rollout-fleet-publish-ms", "200"));
            }
            final List<AdminClient> admins = fleet.stream().map((p) -> new AdminClient(p.adminPort, null)).toList();
            try (DemoTraffic traffic = DemoTraffic.to(fleet))
            {
                traffic.awaitMore(300);

                // an identical candidate, started through replica 0, which drives it; latency and scores are opened
                // wide in both rollouts (three JVMs on a shared machine: a chance latency verdict is not this test's
                // subject, JudgeErrorRatesTest measures the judge's error rates)
                final HttpResponse<String> started = admins.get(0).send("POST", PATH, rollout(RolloutCandidates.IDENTICAL,
                    ", \"thresholds\": {\"replay_min_rows\": 1000000, \"psi_max\": 100, \"ks_max_d\": 1, \"latency_tolerance\": 100}"));
                assertEquals(200, started.statusCode(), started.body());
                final JsonNode followed = awaitState(admins.get(2), (s) -> s.path("phase").asText().equals("step"));
                assertEquals(RolloutCandidates.IDENTICAL, followed.path("version").asText(), "every replica shows it");
                // replica 0 took the lease; on a starved machine it may have lapsed and passed to another since
                final int driver = awaitDriver(admins, 0, 1, 2);
                final int follower = (driver + 1) % 3;
                assertFalse(state(admins.get(follower)).path("driving").asBoolean());
                assertEquals(409, admins.get(follower).put("/admin/models/" + MODEL + "/traffic", "{\"champion\": \"1\"}")
                    .statusCode(), "manual steering is refused on a replica that does not drive the rollout too");
                final HttpResponse<String> second = admins.get(follower).send("POST", PATH, rollout(RolloutCandidates.INVERTED, ""));
                assertEquals(409, second.statusCode(), "one rollout per model, whichever replica is asked: " + second.body());
                // pause and resume through a replica that does not drive: handed to the driver, answered by it
                final HttpResponse<String> pause = admins.get(follower).post(PATH + "/pause");
                assertEquals(200, pause.statusCode(), pause.body());
                assertEquals("paused", AdminClient.json(pause).path("state").asText(), pause.body());
                final HttpResponse<String> resume = admins.get(follower).post(PATH + "/resume");
                assertEquals(200, resume.statusCode(), resume.body());
                assertEquals("running", AdminClient.json(resume).path("state").asText(), resume.body());
                assertEquals(409, admins.get(follower).post(PATH + "/confirm").statusCode(), "the driver's refusal, as it words it");

                final long killed = System.nanoTime();
                fleet.get(driver).kill9(); // in the middle of step one (or two)
                final int[] survivors = {(driver + 1) % 3, (driver + 2) % 3};
                final int successor = awaitDriver(admins, survivors);
                // the figure the README quotes: the lease (2 s here) lapses, and the next tick of a survivor takes it
                System.out.printf("FleetRolloutTest: replica %d took the rollout over %d ms after the driver's kill -9 (lease %s ms)%n",
                    successor, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed), LEASE_MS);
                final int other = survivors[0] == successor ? survivors[1] : survivors[0];
                final JsonNode takenOver = state(admins.get(successor));
                final int takenOverAt = takeoverStep(takenOver);
                assertTrue(takenOverAt >= 1, "taken over in a step: " + takenOver.path("timeline"));

                final JsonNode promoted = awaitState(admins.get(successor), (s) -> s.path("state").asText().equals("promoted"));
                assertEquals(2, promoted.path("steps").size(), "no step judged twice: " + promoted);
                final JsonNode elsewhere = awaitState(admins.get(other), (s) -> s.path("state").asText().equals("promoted"));
                assertEquals(promoted.path("id"), elsewhere.path("id"));
                assertEquals(RolloutCandidates.IDENTICAL, AdminClient.json(admins.get(other)
                    .get("/admin/models/" + MODEL + "/traffic")).path("champion").asText());

                // an inverted candidate, started through the other survivor: the judge rolls it back on the fleet's scores
                final HttpResponse<String> inverted = admins.get(other).send("POST", PATH, rollout(RolloutCandidates.INVERTED,
                    ", \"thresholds\": {\"replay_min_rows\": 1000000, \"latency_tolerance\": 100}"));
                assertEquals(200, inverted.statusCode(), inverted.body());
                final JsonNode rolledBack = awaitState(admins.get(successor),
                    (s) -> s.path("version").asText().equals(RolloutCandidates.INVERTED) && s.path("state").asText().equals("rolled_back"));
                assertTrue(rolledBack.path("reason").asText().matches("score_(ks|psi) failed at step 1.*"),
                    rolledBack.path("reason").asText());
                assertEquals(2, rolledBack.path("window_replicas").asInt(), "judged on both survivors' requests");
                assertEquals(RolloutCandidates.IDENTICAL, AdminClient.json(admins.get(successor)
                    .get("/admin/models/" + MODEL + "/traffic")).path("champion").asText(), "the champion stays");

                // a third, aborted through the replica that does not drive it: handed to the driver, traffic back at once
                final HttpResponse<String> third = admins.get(successor).send("POST", PATH, rollout(RolloutCandidates.INVERTED, "")
                    .replace("\"step_seconds\": 2", "\"step_seconds\": 600"));
                assertEquals(200, third.statusCode(), third.body());
                awaitState(admins.get(other), (s) -> s.path("state").asText().equals("running") && s.path("percent").asInt() == 10);
                final HttpResponse<String> aborted = admins.get(other).post(PATH + "/abort");
                assertEquals(200, aborted.statusCode(), aborted.body());
                assertEquals("aborted", AdminClient.json(aborted).path("state").asText(), aborted.body());
                for (final int replica : survivors)
                {
                    final JsonNode policy = awaitTraffic(admins.get(replica), (t) -> t.path("canary").isNull() || t.path("canary").isMissingNode());
                    assertEquals(RolloutCandidates.IDENTICAL, policy.path("champion").asText(), "replica " + replica + ": " + policy);
                }

                traffic.awaitMore(100);
                traffic.close();
                assertEquals(0, traffic.dropped.get(), "requests no surviving replica answered: " + traffic.lastUnexpected);
                assertTrue(traffic.retried.get() > 0, "some requests met the killed replica and were sent on");
            }
            for (final GatewayProcess replica : fleet)
            {
                if (replica.alive())
                {
                    replica.terminate();
                }
            }
        }
        finally
        {
            fleet.forEach(GatewayProcess::close);
        }
    }

    /** Steps 10 % and 50 %, two seconds and 100 canary requests each, the replay gate skipped. */
    private static String rollout(final String version, final String more)
    {
        return "{\"version\": \"" + version + "\", \"steps\": [10, 50], \"step_seconds\": 2, \"min_requests\": 100, " +
            "\"max_wait_seconds\": 120, \"gate\": \"skip\"" + more + "}";
    }

    /** Waits until one of the given replicas drives the rollout; its index. */
    private static int awaitDriver(final List<AdminClient> admins, final int... candidates) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            for (final int i : candidates)
            {
                if (state(admins.get(i)).path("driving").asBoolean())
                {
                    return i;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no surviving replica took the rollout over within 60 s: " + state(admins.get(candidates[0])));
    }

    /** Waits until a replica's traffic policy satisfies {@code done}; the policy. */
    private static JsonNode awaitTraffic(final AdminClient admin, final java.util.function.Predicate<JsonNode> done) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode traffic = null;
        while (System.nanoTime() < deadline)
        {
            traffic = AdminClient.json(admin.get("/admin/models/" + MODEL + "/traffic"));
            if (done.test(traffic))
            {
                return traffic;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the traffic policy did not change within 60 s: " + traffic);
    }

    /** The step (1-based) of the timeline's last takeover event. */
    private static int takeoverStep(final JsonNode rollout)
    {
        int step = 0;
        for (final JsonNode event : rollout.path("timeline"))
        {
            if (event.path("event").asText().equals("taken_over"))
            {
                step = event.path("step").asInt();
            }
        }
        if (step == 0)
        {
            throw new AssertionError("no takeover in a step: " + rollout.path("timeline"));
        }
        return step;
    }
}
