package io.scoring.monitoring.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Grafana dashboard and Prometheus rules in deploy/ against what the gateway really exposes. */
class DeployFilesTest
{
    private static final Path RULES = Path.of("..", "deploy", "prometheus", "scoring-gateway-rules.yml");
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "scoring-gateway-dashboard.json");
    /** A series name in a query: not inside a label matcher's quotes (outcome=~"scoring_failed|..."). */
    private static final Pattern SERIES = Pattern.compile("(?<![\"|])\\b((?:scoring|jvm)_[a-z0-9_]+)");
    /** A rule's expression: from "expr:" to the rule's next key. */
    private static final Pattern EXPR = Pattern.compile("(?s)expr:(.*?)\\n\\s+for:");

    @Test
    void shouldPassPromtoolCheckRules() throws Exception
    {
        assumeTrue(Promtool.available(), "promtool is not on the PATH (apt-get install prometheus): check skipped");

        final Promtool.Result result = Promtool.run(null, "check", "rules", RULES.toString());

        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("SUCCESS: 10 rules found"), result.output());
    }

    /** promtool's own rule unit test: a failing champion pages after two runs; a failing canary does not (its rollout rolls back). */
    @Test
    void shouldAlertOnAChampionFailingItsHealthProbeAndNotOnACanary() throws Exception
    {
        assumeTrue(Promtool.available(), "promtool is not on the PATH (apt-get install prometheus): check skipped");
        final Path test = Files.createTempFile("health-probe-alert", ".yml");
        Files.writeString(test, String.join("\n",
            "rule_files: ['" + RULES.toAbsolutePath() + "']",
            "evaluation_interval: 1m",
            "tests:",
            "  - interval: 1m",
            "    input_series:",
            "      - {series: 'scoring_health_probe_passed{instance=\"a\",model=\"m\",version=\"1\"}', values: '1 0x5'}",
            "      - {series: 'scoring_traffic_weight{instance=\"a\",model=\"m\",version=\"1\",role=\"champion\"}', values: '100x6'}",
            "      - {series: 'scoring_health_probe_passed{instance=\"a\",model=\"m\",version=\"2\"}', values: '0x6'}",
            "      - {series: 'scoring_traffic_weight{instance=\"a\",model=\"m\",version=\"2\",role=\"canary\"}', values: '10x6'}",
            "    alert_rule_test:",
            "      - {eval_time: 2m, alertname: ScoringChampionHealthProbeFailing, exp_alerts: []}",
            "      - eval_time: 4m",
            "        alertname: ScoringChampionHealthProbeFailing",
            "        exp_alerts:",
            "          - exp_labels: {severity: page, instance: a, model: m, version: '1'}",
            "            exp_annotations:",
            "              summary: 'm 1, the champion, fails its health probe on a'",
            "              description: 'GET /admin/models/m/health names the failing row and its |Δscore|; " +
                "the gateway logs one line per failing run.'",
            ""));

        final Promtool.Result result = Promtool.run(null, "test", "rules", test.toString());

        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void shouldQueryOnlySeriesTheGatewayExposes() throws Exception
    {
        final String scrape = fullyPopulatedScrape();
        final Set<String> missing = new TreeSet<>();
        final JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        final StringBuilder queries = new StringBuilder();
        final Matcher rules = EXPR.matcher(Files.readString(RULES));
        while (rules.find())
        {
            queries.append('\n').append(rules.group(1));
        }
        for (final JsonNode panel : dashboard.path("panels"))
        {
            panel.path("targets").forEach((target) -> queries.append('\n').append(target.path("expr").asText()));
        }
        final Matcher matcher = SERIES.matcher(queries);
        while (matcher.find())
        {
            if (!Pattern.compile("(?m)^" + matcher.group(1) + "[{ ]").matcher(scrape).find())
            {
                missing.add(matcher.group(1));
            }
        }

        assertEquals(Set.of(), missing);
        assertTrue(dashboard.path("panels").size() >= 20);
    }

    private static String fullyPopulatedScrape()
    {
        try (ScoringMetrics metrics = new ScoringMetrics(List.of("ok", "scoring_failed")))
        {
            metrics.requestMeters("m", "v1", "champion").record(0, 1_000, 1_000, 1_000, 1_000, 4_000);
            metrics.featureStoreMeters("embedded").recordLookup(1_000, 1, 1);
            metrics.shadowMeters("m", () -> 0).dropped();
            metrics.trafficWeights("m", List.of(new TrafficShare("v1", "champion", 100)));
            metrics.modelLoadEvent("m", "v1", "loaded");
            for (final String name : List.of("scoring.drift.statistic", "scoring.drift.p.value", "scoring.drift.alarm"))
            {
                metrics.gauge(name, "d", "model", "m", "version", "v1", "feature", "f", "method", "ks").accept(0);
            }
            for (final String name : List.of("scoring.domain.drift.auc", "scoring.domain.drift.alarm"))
            {
                metrics.gauge(name, "d", "model", "m", "version", "v1").accept(0);
            }
            for (final String name : List.of("scoring.segment.disparate.impact", "scoring.segment.gap.alarm"))
            {
                metrics.gauge(name, "s", "model", "m", "version", "v1", "segment", "age").accept(0);
            }
            for (final String name : List.of("scoring.shadow.agreement.ratio", "scoring.shadow.score.delta.mean",
                "scoring.shadow.score.delta.p95"))
            {
                metrics.gauge(name, "c", "model", "m", "version", "v2").accept(1);
            }
            // the gateway's rollouts register theirs through the same registry (gateway's rollout.Rollouts)
            for (final String name : List.of("scoring.rollout.state", "scoring.rollout.step", "scoring.rollout.canary.percent",
                "scoring.rollout.driving"))
            {
                metrics.gauge(name, "r", "model", "m").accept(0);
            }
            for (final String name : List.of("scoring.rollout.check.verdict", "scoring.rollout.check.statistic"))
            {
                metrics.gauge(name, "r", "model", "m", "check", "latency").accept(1);
            }
            metrics.counter("scoring.rollout.rollbacks", "r", "model", "m", "check", "latency").increment();
            // and its health probes (gateway's health.HealthProbes)
            for (final String name : List.of("scoring.health.probe.passed", "scoring.health.probe.duration.seconds",
                "scoring.health.probe.score.delta.max"))
            {
                metrics.gauge(name, "h", "model", "m", "version", "v1").accept(1);
            }
            metrics.counter("scoring.health.probe.runs", "h", "model", "m", "version", "v1", "result", "pass").increment();
            System.gc(); // jvm_gc_pause_seconds appears with the first GC notification, delivered asynchronously
            final long deadline = System.nanoTime() + 10_000_000_000L;
            String scrape = metrics.scrape();
            while (!scrape.contains("jvm_gc_pause_seconds_sum") && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
                scrape = metrics.scrape();
            }
            return scrape;
        }
    }
}
