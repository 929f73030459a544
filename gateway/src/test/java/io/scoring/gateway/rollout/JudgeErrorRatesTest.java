package io.scoring.gateway.rollout;

import io.scoring.gateway.DemoModels;
import io.scoring.gateway.DemoTestSet;
import io.scoring.router.runtime.Scorer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The judge's error rates, measured: 200 seeded simulated rollouts (steps 10 % and 50 %, 200 canary
 * requests a step) per kind of candidate, over the demo champion's real scores of the 1,000 German
 * Credit applicants. Sticky cohorts as the router makes them: each seed puts a fixed share of the
 * applicants on the canary, and requests draw applicants at random, so a cohort's scores differ from
 * the champion's by chance alone. Latencies are log-normal (median 300 µs, sigma 0.5), the same for
 * both unless the candidate is slow.
 *
 * <p>A clean candidate (the same model) must be wrongly rolled back in at most 5 % of the rollouts;
 * an inverted one (negated weights: 1 - p), one 1.5x slower, and one failing 5 % of its requests
 * must never be promoted. The rates are printed.
 */
class JudgeErrorRatesTest
{
    private static final int RUNS = 200;
    private static final int[] STEPS = {1_000, 5_000};
    private static final int MIN_CANARY_REQUESTS = 200;
    private static double[] scores;

    enum Candidate
    {
        CLEAN, INVERTED, SLOWER, FAILING
    }

    @BeforeAll
    static void scoreEveryApplicantWithTheDemoChampion() throws Exception
    {
        final List<DemoTestSet.Applicant> applicants = new DemoTestSet().applicants;
        scores = new double[applicants.size()];
        try (DemoModels demo = DemoModels.load())
        {
            final float[] out = new float[1];
            for (int i = 0; i < scores.length; i++)
            {
                assertEquals(Scorer.OK, demo.model().champion().scorer().score(applicants.get(i).features(), 1, out));
                scores[i] = out[0];
            }
        }
    }

    @Test
    void shouldRollBackAtMostFivePercentOfCleanCandidatesAndPromoteNoBadOne()
    {
        final double falseRollbacks = rollbackRate(Candidate.CLEAN);
        final double missedInverted = 1.0 - rollbackRate(Candidate.INVERTED);
        final double missedSlower = 1.0 - rollbackRate(Candidate.SLOWER);
        final double missedFailing = 1.0 - rollbackRate(Candidate.FAILING);
        System.out.printf("judge over %d seeded rollouts each: clean rolled back %.1f %%; promoted: inverted %.1f %%, " +
            "1.5x slower %.1f %%, failing 5 %% %.1f %%%n", RUNS, 100 * falseRollbacks, 100 * missedInverted,
            100 * missedSlower, 100 * missedFailing);
        assertTrue(falseRollbacks <= 0.05, "clean candidates rolled back: " + falseRollbacks);
        assertEquals(0.0, missedInverted, "inverted candidates promoted");
        assertEquals(0.0, missedSlower, "slower candidates promoted");
        assertEquals(0.0, missedFailing, "failing candidates promoted");
    }

    private static double rollbackRate(final Candidate candidate)
    {
        int rolledBack = 0;
        for (int seed = 0; seed < RUNS; seed++)
        {
            if (rollsBack(candidate, new Random(seed * 7919L + candidate.ordinal())))
            {
                rolledBack++;
            }
        }
        return rolledBack / (double)RUNS;
    }

    /** One simulated rollout; true when a step fails. */
    private static boolean rollsBack(final Candidate candidate, final Random random)
    {
        final int[] bucket = new int[scores.length]; // each applicant's sticky bucket under this seed's salt
        for (int i = 0; i < bucket.length; i++)
        {
            bucket[i] = random.nextInt(10_000);
        }
        for (final int share : STEPS)
        {
            final Recorded canary = new Recorded();
            final Recorded champion = new Recorded();
            while (canary.requests < MIN_CANARY_REQUESTS)
            {
                final int applicant = random.nextInt(scores.length);
                final double latency = 300_000 * Math.exp(0.5 * random.nextGaussian());
                if (bucket[applicant] < share)
                {
                    final boolean failed = candidate == Candidate.FAILING && random.nextDouble() < 0.05;
                    canary.add(failed, candidate == Candidate.SLOWER ? latency * 1.5 : latency,
                        candidate == Candidate.INVERTED ? 1.0 - scores[applicant] : scores[applicant], applicant + 1);
                }
                else
                {
                    champion.add(false, latency, scores[applicant], applicant + 1);
                }
            }
            final List<Check> checks = Judge.judge(canary.slice(), champion.slice(), Thresholds.defaults(), null, null, null);
            final Judge.Decision decision = Judge.decide(checks);
            assertTrue(decision != Judge.Decision.WAIT, "every required check has data: " + checks);
            if (decision == Judge.Decision.FAIL)
            {
                return true;
            }
        }
        return false;
    }

    /** A step's requests in one role, as the request windows hold them. */
    private static final class Recorded
    {
        long requests;
        long failures;
        double[] latencies = new double[64];
        double[] scores = new double[64];
        long[] entities = new long[64];
        int n;

        void add(final boolean failed, final double latency, final double score, final long entity)
        {
            requests++;
            if (failed)
            {
                failures++;
                return;
            }
            if (n == latencies.length)
            {
                latencies = java.util.Arrays.copyOf(latencies, n * 2);
                scores = java.util.Arrays.copyOf(scores, n * 2);
                entities = java.util.Arrays.copyOf(entities, n * 2);
            }
            entities[n] = entity;
            latencies[n] = latency;
            scores[n++] = score;
        }

        RequestWindow.Slice slice()
        {
            return new RequestWindow.Slice(requests, failures, java.util.Arrays.copyOf(latencies, n),
                java.util.Arrays.copyOf(scores, n), java.util.Arrays.copyOf(entities, n));
        }
    }
}
