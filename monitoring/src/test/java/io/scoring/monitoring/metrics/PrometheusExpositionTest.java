package io.scoring.monitoring.metrics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PrometheusExpositionTest
{
    private final ScoringMetrics metrics = new ScoringMetrics(List.of(
        "ok", "model_not_found", "version_not_found", "invalid_argument", "too_large", "scoring_failed", "shutting_down"));

    @AfterEach
    void close()
    {
        metrics.close();
    }

    @Test
    void shouldExposeRequestCountsAndARealHistogramPerVersionAndRole()
    {
        final RequestMeters champion = metrics.requestMeters("credit-risk", "v1", "champion");
        champion.record(0, 2_000, 40_000, 30_000, 3_000, 80_000); // 80 µs
        champion.record(0, 2_000, 40_000, 30_000, 3_000, 80_000);
        champion.record(3, 0, 0, 0, 0, 1_000);

        final String scrape = metrics.scrape();

        assertEquals(2.0, value(scrape, "scoring_requests_total",
            "model=\"credit-risk\",outcome=\"ok\",role=\"champion\",version=\"v1\""));
        assertEquals(1.0, value(scrape, "scoring_requests_total",
            "model=\"credit-risk\",outcome=\"invalid_argument\",role=\"champion\",version=\"v1\""));
        assertEquals(2.0, value(scrape, "scoring_request_duration_seconds_count",
            "model=\"credit-risk\",role=\"champion\",version=\"v1\""));
        assertEquals(160e-6, value(scrape, "scoring_request_duration_seconds_sum",
            "model=\"credit-risk\",role=\"champion\",version=\"v1\""), 1e-12);
        assertEquals(0.0, bucket(scrape, "scoring_request_duration_seconds_bucket", "7.5E-5"));
        assertEquals(2.0, bucket(scrape, "scoring_request_duration_seconds_bucket", "1.0E-4"));
        assertEquals(2.0, bucket(scrape, "scoring_request_duration_seconds_bucket", "+Inf"));
        assertEquals(26, count(scrape, "scoring_request_duration_seconds_bucket\\{"), "25 bounds and +Inf");
        assertFalse(scrape.contains("quantile="), "histograms, not summaries");
    }

    @Test
    void shouldKeepShadowScoringsOutOfThePipelineStageHistograms()
    {
        metrics.requestMeters("credit-risk", "v1", "champion").record(0, 2_000, 40_000, 30_000, 3_000, 80_000);
        metrics.requestMeters("credit-risk", "v2", "shadow").recordOffPath(500_000);

        final String scrape = metrics.scrape();

        for (final String stage : List.of("decode", "feature_lookup", "score", "encode"))
        {
            assertEquals(1.0, value(scrape, "scoring_stage_duration_seconds_count", "stage=\"" + stage + "\""), stage);
        }
        assertEquals(1.0, value(scrape, "scoring_request_duration_seconds_count",
            "model=\"credit-risk\",role=\"shadow\",version=\"v2\""));
        assertEquals(500e-6, value(scrape, "scoring_request_duration_seconds_sum",
            "model=\"credit-risk\",role=\"shadow\",version=\"v2\""), 1e-12);
        assertEquals(1.0, value(scrape, "scoring_requests_total",
            "model=\"credit-risk\",outcome=\"ok\",role=\"shadow\",version=\"v2\""));
    }

    @Test
    void shouldExposeStageFeatureStoreShadowTrafficAndJvmSeries()
    {
        metrics.requestMeters("credit-risk", "v1", "champion").record(0, 2_000, 40_000, 30_000, 3_000, 80_000);
        metrics.featureStoreMeters("embedded").recordLookup(30_000, 3, 1);
        final ShadowMeters shadow = metrics.shadowMeters("credit-risk", () -> 7);
        shadow.scored();
        shadow.dropped();
        shadow.failed();
        metrics.trafficWeights("credit-risk", List.of(new TrafficShare("v1", "champion", 90), new TrafficShare("v2", "canary", 10)));
        metrics.modelLoadEvent("credit-risk", "v2", "loaded");

        final String scrape = metrics.scrape();

        assertEquals(1.0, value(scrape, "scoring_stage_duration_seconds_count", "stage=\"feature_lookup\""));
        assertEquals(1.0, value(scrape, "scoring_feature_lookup_duration_seconds_count", "store=\"embedded\""));
        assertEquals(3.0, value(scrape, "scoring_feature_cache_hits_total", "store=\"embedded\""));
        assertEquals(1.0, value(scrape, "scoring_feature_cache_misses_total", "store=\"embedded\""));
        assertEquals(7.0, value(scrape, "scoring_shadow_queue_depth", "model=\"credit-risk\""));
        assertEquals(1.0, value(scrape, "scoring_shadow_dropped_total", "model=\"credit-risk\""));
        assertEquals(1.0, value(scrape, "scoring_shadow_errors_total", "model=\"credit-risk\""));
        assertEquals(1.0, value(scrape, "scoring_shadow_scored_total", "model=\"credit-risk\""));
        assertEquals(10.0, value(scrape, "scoring_traffic_weight", "model=\"credit-risk\",role=\"canary\",version=\"v2\""));
        assertEquals(1.0, value(scrape, "scoring_model_load_events_total", "model=\"credit-risk\",result=\"loaded\",version=\"v2\""));
        assertTrue(scrape.contains("scoring_samples_dropped_total "));
        assertTrue(scrape.contains("scoring_samples_logged_total "));
        assertTrue(scrape.contains("jvm_memory_used_bytes{"));
        assertTrue(scrape.contains("jvm_gc_"));
        assertTrue(scrape.contains("jvm_threads_live_threads "));
        assertTrue(scrape.contains("process_cpu_usage "));
    }

    @Test
    void shouldDropAPromotedVersionsOldRoleFromTheTrafficWeights()
    {
        metrics.trafficWeights("m", List.of(new TrafficShare("v1", "champion", 90), new TrafficShare("v2", "canary", 10)));
        metrics.trafficWeights("m", List.of(new TrafficShare("v2", "champion", 100)));

        final String scrape = metrics.scrape();

        assertEquals(100.0, value(scrape, "scoring_traffic_weight", "model=\"m\",role=\"champion\",version=\"v2\""));
        assertFalse(scrape.contains("role=\"canary\",version=\"v2\""));
        assertFalse(scrape.contains("version=\"v1\""));
    }

    @Test
    void shouldForgetEveryMeterOfAnUnloadedVersion()
    {
        metrics.requestMeters("m", "v1", "champion").record(0, 1, 1, 1, 1, 4);
        metrics.gauge("scoring.drift.alarm", "d", "model", "m", "version", "v1", "feature", "f", "method", "ks").accept(1);

        metrics.removeVersion("m", "v1");

        assertFalse(metrics.scrape().contains("version=\"v1\""));
    }

    @Test
    void shouldPassPromtoolCheckMetrics() throws Exception
    {
        assumeTrue(Promtool.available(), "promtool is not on the PATH (apt-get install prometheus): check skipped");
        final RequestMeters champion = metrics.requestMeters("credit-risk", "v1", "champion");
        champion.record(0, 2_000, 40_000, 30_000, 3_000, 80_000);
        metrics.featureStoreMeters("embedded").recordLookup(30_000, 3, 1);
        metrics.shadowMeters("credit-risk", () -> 0).dropped();
        metrics.trafficWeights("credit-risk", List.of(new TrafficShare("v1", "champion", 100)));
        metrics.modelLoadEvent("credit-risk", "v1", "loaded");
        metrics.gauge("scoring.drift.statistic", "Drift statistic", "model", "credit-risk", "version", "v1",
            "feature", "duration", "method", "ks").accept(0.03);

        final Promtool.Result result = Promtool.run(metrics.scrape(), "check", "metrics");

        assertEquals(0, result.exitCode(), result.output());
    }

    private static double value(final String scrape, final String name, final String labels)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels) + ",?\\} (\\S+)$").matcher(scrape);
        assertTrue(matcher.find(), name + "{" + labels + "} in\n" + scrape);
        return Double.parseDouble(matcher.group(1));
    }

    private static double bucket(final String scrape, final String name, final String le)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*le=\"" + Pattern.quote(le) + "\"[^}]*\\} (\\S+)$")
            .matcher(scrape);
        assertTrue(matcher.find(), name + " le=" + le + " in\n" + scrape);
        return Double.parseDouble(matcher.group(1));
    }

    private static int count(final String scrape, final String regex)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + regex).matcher(scrape);
        int n = 0;
        while (matcher.find())
        {
            n++;
        }
        return n;
    }
}
