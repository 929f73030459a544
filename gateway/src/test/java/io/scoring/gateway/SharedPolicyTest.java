package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.router.traffic.Buckets;
import io.scoring.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three gateway processes share one policy through a real Redis: a change through one replica is in
 * force on all three within a second, and a replica killed and restarted rejoins with the current one.
 */
class SharedPolicyTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRAFFIC = "/admin/models/credit-risk/traffic";

    @Test
    void shouldApplyAChangeThroughOneReplicaOnEveryReplicaWithinASecond() throws Exception
    {
        final List<GatewayProcess> replicas = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort())
        {
            for (int i = 0; i < 3; i++)
            {
                replicas.add(start(redis));
            }
            final DemoTestSet demo = new DemoTestSet();
            final DemoTestSet.Applicant canaryKey = firstApplicantBelow(demo, 5_000);

            final long changed = System.nanoTime();
            final String half = "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":50}}";
            assertEquals(200, admin(replicas.get(0)).put(TRAFFIC, half).statusCode());
            for (final GatewayProcess replica : replicas)
            {
                awaitCanary(replica, "2", changed);
                try (GatewayClients clients = new GatewayClients(replica.httpPort, replica.grpcPort))
                {
                    final PredictResponse answer = clients.scoring.predict(DemoRequests.ownRequest(demo, canaryKey).build());
                    assertEquals("2", answer.getVersion());
                    assertEquals("canary", answer.getRole());
                }
            }

            replicas.get(2).kill9();
            final HttpResponse<String> promoted = admin(replicas.get(1)).post("/admin/models/credit-risk/promote");
            assertEquals(200, promoted.statusCode(), promoted.body());
            replicas.set(2, start(redis));
            final JsonNode rejoined = JSON.readTree(admin(replicas.get(2)).get(TRAFFIC).body());
            assertEquals("2", rejoined.path("champion").asText(), "the restarted replica has the promote it missed");
            assertEquals(JSON.readTree(admin(replicas.get(0)).get("/admin/models").body()).path("models").path(0).path("traffic"),
                JSON.readTree(admin(replicas.get(2)).get("/admin/models").body()).path("models").path(0).path("traffic"));
        }
        finally
        {
            replicas.forEach(GatewayProcess::close);
        }
    }

    private static GatewayProcess start(final RedisServerProcess redis) throws Exception
    {
        return GatewayProcess.start(Files.createTempDirectory("scoring-state"), Map.of("SCORING_ADMIN_TOKEN", ""),
            "--state-store", redis.uri());
    }

    private static AdminClient admin(final GatewayProcess replica)
    {
        return new AdminClient(replica.adminPort, null);
    }

    /** Polls the replica's policy until the canary is the given version; fails after one second from the change. */
    private static void awaitCanary(final GatewayProcess replica, final String version, final long changedNanos)
        throws Exception
    {
        while (true)
        {
            final JsonNode traffic = JSON.readTree(admin(replica).get(TRAFFIC).body());
            if (version.equals(traffic.path("canary").path("version").asText()))
            {
                return;
            }
            assertTrue(System.nanoTime() - changedNanos < TimeUnit.SECONDS.toNanos(1),
                "replica on port " + replica.httpPort + " still has " + traffic + " a second after the change");
            Thread.sleep(20);
        }
    }

    private static DemoTestSet.Applicant firstApplicantBelow(final DemoTestSet demo, final int basisPoints)
    {
        final long seed = Buckets.seed("credit-risk");
        return demo.applicants.stream().filter((a) -> Buckets.bucket(seed, a.id()) < basisPoints).findFirst().orElseThrow();
    }
}
