package io.scoring.gateway;

import io.scoring.proto.v1.FeatureStatus;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway with its features in a real Redis (Feast's layout), loaded by {@code load-features}:
 * the same answers as the embedded store, and answers with flagged defaults while Redis is down.
 */
class RedisFeaturesTest
{
    private static ScoringGateway startWith(final String features) throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state")).features(features);
        config.redisContext().deadline(Duration.ofSeconds(1));
        return ScoringGateway.start(config, "");
    }

    @Test
    void shouldAnswerExactlyAsWithTheEmbeddedStoreWhenTheFeaturesComeFromRedis() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort())
        {
            assertEquals(1000, FeatureStores.loadIntoRedis(new String[]{redis.uri()}));
            final ScoringGateway viaRedis = startWith(redis.uri());
            final ScoringGateway embedded = TestGateways.startDemo();
            final DemoTestSet demo = new DemoTestSet();
            try (GatewayClients redisClients = new GatewayClients(viaRedis.httpPort(), viaRedis.grpcPort());
                 GatewayClients embeddedClients = new GatewayClients(embedded.httpPort(), embedded.grpcPort()))
            {
                for (final DemoTestSet.Applicant applicant : demo.testRows().subList(0, 60))
                {
                    final PredictResponse fromRedis = redisClients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
                    final PredictResponse fromEmbedded = embeddedClients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
                    assertEquals(fromEmbedded.getResults(0), fromRedis.getResults(0), applicant.id());
                }
            }
            finally
            {
                viaRedis.drain();
                embedded.drain();
            }
        }
    }

    @Test
    void shouldCountNearCacheHitsAndMissesInTheMetrics() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort())
        {
            FeatureStores.loadIntoRedis(new String[]{redis.uri()});
            final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state")).features(redis.uri());
            config.redisContext().deadline(Duration.ofSeconds(1)).nearCacheSize(100);
            final ScoringGateway gateway = ScoringGateway.start(config, "");
            final DemoTestSet demo = new DemoTestSet();
            try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
            {
                for (int i = 0; i < 5; i++)
                {
                    clients.scoring.predict(DemoRequests.ownRequest(demo, demo.testRows().get(0)).build());
                }
                final String metrics = clients.get("/metrics").body();
                assertTrue(metrics.matches("(?s).*scoring_feature_cache_misses_total\\{store=\"[^\"]+\"} 1\\.0\\b.*"), metrics);
                assertTrue(metrics.matches("(?s).*scoring_feature_cache_hits_total\\{store=\"[^\"]+\"} 4\\.0\\b.*"), metrics);
            }
            finally
            {
                gateway.drain();
            }
        }
    }

    @Test
    void shouldKeepAnsweringWithFlaggedDefaultsWhileRedisIsDownAndRecoverWhenItReturns() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort())
        {
            FeatureStores.loadIntoRedis(new String[]{redis.uri()});
            final ScoringGateway gateway = startWith(redis.uri());
            final DemoTestSet demo = new DemoTestSet();
            final DemoTestSet.Applicant applicant = demo.testRows().get(0);
            try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
            {
                final PredictResponse healthy = clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
                assertEquals(0, healthy.getResults(0).getFeatureStatusCount());

                redis.stop();
                for (int i = 0; i < 50; i++)
                {
                    final PredictResponse degraded = clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
                    final List<FeatureStatus> statuses = degraded.getResults(0).getFeatureStatusList();
                    assertEquals(demo.featureNames.size() - demo.requestFeatures().size(), statuses.size());
                    assertTrue(statuses.stream().allMatch((s) -> s.getReason() == FeatureStatus.Reason.STORE_UNAVAILABLE),
                        statuses.toString());
                }

                redis.start();
                FeatureStores.loadIntoRedis(new String[]{redis.uri()});
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                PredictResponse recovered;
                do
                {
                    Thread.sleep(100);
                    recovered = clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
                }
                while (recovered.getResults(0).getFeatureStatusCount() > 0 && System.nanoTime() < deadline);
                assertEquals(healthy.getResults(0), recovered.getResults(0), "lookups resume once Redis is back");
            }
            finally
            {
                gateway.drain();
            }
        }
    }
}
