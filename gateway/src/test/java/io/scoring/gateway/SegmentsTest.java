package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's test set through the real gateway, each applicant's label posted as feedback: the admin
 * API's figures per segment group (personal_status by sex, age bands, as the demo's model.json declares)
 * equal a reference computed here from the same answers, and the gap's significance equals Commons
 * Math's chi-squared test of the same table.
 */
class SegmentsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double THRESHOLD = 1.0 / 6.0;

    @Test
    void shouldReportEachSegmentGroupsFiguresAsAReferenceComputationOfTheTestSetDoes() throws Exception
    {
        final ScoringGateway gateway = ScoringGateway.start(
            TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), "");
        final DemoTestSet demo = new DemoTestSet();
        final List<DemoTestSet.Applicant> applicants = demo.testRows();
        final double[] scores = new double[applicants.size()];
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            for (int i = 0; i < applicants.size(); i++)
            {
                scores[i] = clients.scoring.predict(
                    DemoRequests.ownRequest(demo, applicants.get(i)).setRequestId("seg-" + i).build())
                    .getResults(0).getScores(0);
            }
            // the gateway records a request after its answer is written: wait until the last one is counted
            final AdminClient admin = new AdminClient(gateway.adminPort(), null);
            JsonNode report = JSON.readTree(admin.get("/admin/models/credit-risk/segments").body());
            for (int tries = 0; tries < 100 && requests(report) < applicants.size(); tries++)
            {
                Thread.sleep(50);
                report = JSON.readTree(admin.get("/admin/models/credit-risk/segments").body());
            }
            for (int i = 0; i < applicants.size(); i++)
            {
                assertEquals(200, clients.post("/v1/feedback",
                    "{\"request_id\":\"seg-" + i + "\",\"label\":" + applicants.get(i).label() + "}").statusCode());
            }
            report = JSON.readTree(admin.get("/admin/models/credit-risk/segments").body());
            final JsonNode version = report.path("versions").path(0);
            assertEquals("1", version.path("version").asText(), report.toString());

            final int sex = demo.featureNames.indexOf("personal_status");
            final JsonNode categories = demo.feature("personal_status").get("categories");
            final JsonNode bySex = segment(version, "personal_status");
            checkGroup(group(bySex, "male"), applicants, scores,
                (i) -> categories.get((int)applicants.get(i).features()[sex]).asText().startsWith("male"));
            checkGroup(group(bySex, "female"), applicants, scores,
                (i) -> categories.get((int)applicants.get(i).features()[sex]).asText().startsWith("female"));

            final int age = demo.featureNames.indexOf("age");
            final JsonNode byAge = segment(version, "age");
            final double[] bands = {Double.NEGATIVE_INFINITY, 25, 35, 50, Double.POSITIVE_INFINITY};
            final String[] names = {"under 25", "25-34", "35-49", "50 and over"};
            final List<IntPredicate> inBand = new ArrayList<>();
            for (int b = 0; b < names.length; b++)
            {
                final int band = b;
                inBand.add((i) -> applicants.get(i).features()[age] >= bands[band] &&
                    applicants.get(i).features()[age] < bands[band + 1]);
                checkGroup(group(byAge, names[b]), applicants, scores, inBand.get(b));
            }
            checkGap(byAge, applicants, scores, inBand);
        }
        finally
        {
            gateway.drain();
        }
    }

    /** Requests, positive decisions, score bins, labels, AUC (all pairs), error rate, cost, TPR of one group. */
    private static void checkGroup(
        final JsonNode group, final List<DemoTestSet.Applicant> applicants, final double[] scores, final IntPredicate in)
    {
        long requests = 0;
        long decidedPositive = 0;
        long positives = 0;
        long caught = 0;
        long errors = 0;
        double cost = 0;
        final long[] bins = new long[10];
        final List<Double> positiveScores = new ArrayList<>();
        final List<Double> negativeScores = new ArrayList<>();
        for (int i = 0; i < applicants.size(); i++)
        {
            if (!in.test(i))
            {
                continue;
            }
            final boolean decided = (float)scores[i] >= (float)THRESHOLD;
            final boolean bad = applicants.get(i).label() == 1;
            requests++;
            decidedPositive += decided ? 1 : 0;
            bins[Math.min(9, (int)(scores[i] * 10))]++;
            positives += bad ? 1 : 0;
            caught += bad && decided ? 1 : 0;
            errors += bad != decided ? 1 : 0;
            cost += bad && !decided ? 5 : !bad && decided ? 1 : 0;
            (bad ? positiveScores : negativeScores).add(scores[i]);
        }
        double wins = 0;
        for (final double p : positiveScores)
        {
            for (final double n : negativeScores)
            {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        final String name = group.path("group").asText();
        assertTrue(requests > 10, name + " has too few applicants for a meaningful check: " + requests);
        assertEquals(requests, group.path("requests").asLong(), name);
        assertEquals(decidedPositive, group.path("positive_decisions").asLong(), name);
        assertEquals((double)decidedPositive / requests, group.path("positive_rate").asDouble(), 1e-12, name);
        for (int b = 0; b < 10; b++)
        {
            assertEquals(bins[b], group.path("score_bins").path(b).asLong(), name + " bin " + b);
        }
        assertEquals(requests, group.path("labels").asLong(), name);
        assertEquals(positives, group.path("labelled_positives").asLong(), name);
        assertEquals(wins / (positiveScores.size() * (double)negativeScores.size()), group.path("auc").asDouble(),
            1e-12, name);
        assertEquals((double)errors / requests, group.path("error_rate").asDouble(), 1e-12, name);
        assertEquals(cost / requests, group.path("cost_per_decision").asDouble(), 1e-12, name);
        assertEquals((double)caught / positives, group.path("true_positive_rate").asDouble(), 1e-12, name);
    }

    /** Disparate impact and equal opportunity as min / max and max - min; p-values from Commons Math's chi-squared. */
    private static void checkGap(
        final JsonNode segment, final List<DemoTestSet.Applicant> applicants, final double[] scores,
        final List<IntPredicate> groups)
    {
        final long[][] decisions = new long[groups.size()][2];
        final long[][] positivesCaught = new long[groups.size()][2];
        double lowestRate = 1;
        double highestRate = 0;
        double lowestTpr = 1;
        double highestTpr = 0;
        for (int g = 0; g < groups.size(); g++)
        {
            for (int i = 0; i < applicants.size(); i++)
            {
                if (groups.get(g).test(i))
                {
                    final boolean decided = (float)scores[i] >= (float)THRESHOLD;
                    decisions[g][decided ? 0 : 1]++;
                    if (applicants.get(i).label() == 1)
                    {
                        positivesCaught[g][decided ? 0 : 1]++;
                    }
                }
            }
            final double rate = decisions[g][0] / (double)(decisions[g][0] + decisions[g][1]);
            final double tpr = positivesCaught[g][0] / (double)(positivesCaught[g][0] + positivesCaught[g][1]);
            lowestRate = Math.min(lowestRate, rate);
            highestRate = Math.max(highestRate, rate);
            lowestTpr = Math.min(lowestTpr, tpr);
            highestTpr = Math.max(highestTpr, tpr);
        }
        final JsonNode gap = segment.path("gap");
        assertEquals(lowestRate / highestRate, gap.path("disparate_impact").asDouble(), 1e-12, gap.toString());
        assertEquals(new ChiSquareTest().chiSquareTest(decisions), gap.path("disparate_impact_p_value").asDouble(), 1e-9);
        assertEquals(highestTpr - lowestTpr, gap.path("equal_opportunity_difference").asDouble(), 1e-12);
        assertEquals(new ChiSquareTest().chiSquareTest(positivesCaught), gap.path("equal_opportunity_p_value").asDouble(),
            1e-9);
    }

    /** Requests counted in the sex segment (every applicant is in one of its groups). */
    private static long requests(final JsonNode report)
    {
        long requests = 0;
        for (final JsonNode group : segment(report.path("versions").path(0), "personal_status").path("groups"))
        {
            requests += group.path("requests").asLong();
        }
        return requests;
    }

    private static JsonNode segment(final JsonNode version, final String name)
    {
        for (final JsonNode segment : version.path("segments"))
        {
            if (name.equals(segment.path("segment").asText()))
            {
                return segment;
            }
        }
        throw new AssertionError("no segment " + name + " in " + version);
    }

    private static JsonNode group(final JsonNode segment, final String name)
    {
        for (final JsonNode group : segment.path("groups"))
        {
            if (name.equals(group.path("group").asText()))
            {
                return group;
            }
        }
        throw new AssertionError("no group " + name + " in " + segment);
    }
}
