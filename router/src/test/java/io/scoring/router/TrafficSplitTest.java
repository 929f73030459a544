package io.scoring.router;

import io.scoring.router.traffic.TrafficPolicy;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How keys are split between champion and canary: accurate, sticky, monotonic. */
class TrafficSplitTest
{
    private static final int KEYS = 100_000;

    @ParameterizedTest(name = "canary at {0} hundredths of a percent")
    @ValueSource(ints = {100, 1_000, 3_333, 5_000})
    void shouldGiveTheCanaryItsShareOfDistinctKeysWithinHalfAPoint(final int basisPoints) throws Exception
    {
        final Model model = TestModels.model(2, TestModels.canary("1", "2", basisPoints), ShadowListener.NONE);
        final Route route = new Route();
        long canary = 0;
        for (int i = 0; i < KEYS; i++)
        {
            assertTrue(model.route("applicant-" + i, "", route));
            if (route.role() == Role.CANARY)
            {
                canary++;
            }
            route.release();
        }

        final double share = (double)canary / KEYS;
        final double expected = basisPoints / 10_000.0;
        assertEquals(expected, share, 0.005, "canary share");
        final double pValue = new ChiSquareTest().chiSquareTest(
            new double[]{expected * KEYS, (1 - expected) * KEYS}, new long[]{canary, KEYS - canary});
        assertTrue(pValue > 0.001, "sample-ratio mismatch: p = " + pValue);
        model.close();
    }

    @Test
    void shouldAssignAKeyTheSameVersionEveryTimeOnEveryReplica() throws Exception
    {
        final TrafficPolicy policy = TestModels.canary("1", "2", 2_500);
        final Model replicaA = TestModels.model(2, policy, ShadowListener.NONE);
        final Model replicaB = TestModels.model(2, policy, ShadowListener.NONE);
        for (int i = 0; i < 10_000; i++)
        {
            final String key = "A" + i;
            final Role first = roleOf(replicaA, key);
            assertEquals(first, roleOf(replicaA, key));
            assertEquals(first, roleOf(replicaB, key), key);
        }
        replicaA.close();
        replicaB.close();
    }

    @Test
    void shouldOnlyMoveKeysFromChampionToCanaryWhenTheCanaryGrows() throws Exception
    {
        final Model model = TestModels.model(2, TestModels.canary("1", "2", 0), ShadowListener.NONE);
        Set<String> previous = new HashSet<>();
        for (final int basisPoints : new int[]{1, 100, 500, 1_000, 2_550, 5_000, 9_999, 10_000})
        {
            model.setPolicy(TestModels.canary("1", "2", basisPoints));
            final Set<String> canaryKeys = new HashSet<>();
            for (int i = 0; i < 20_000; i++)
            {
                if (roleOf(model, "k" + i) == Role.CANARY)
                {
                    canaryKeys.add("k" + i);
                }
            }
            assertTrue(canaryKeys.containsAll(previous), "no key went back to the champion at " + basisPoints);
            previous = canaryKeys;
        }
        assertEquals(20_000, previous.size(), "at 100% every key is on the canary");
        model.close();
    }

    @Test
    void shouldSplitRequestsWithoutAKeyAtRandomByTheWeights() throws Exception
    {
        final Model model = TestModels.model(2, TestModels.canary("1", "2", 2_000), ShadowListener.NONE);
        final Route route = new Route();
        int canary = 0;
        for (int i = 0; i < KEYS; i++)
        {
            model.route("", "", route);
            canary += route.role() == Role.CANARY ? 1 : 0;
            route.release();
        }
        assertEquals(0.20, (double)canary / KEYS, 0.01);
        model.close();
    }

    @Test
    void shouldServeAPinnedVersionWithTheRoleItHasInThePolicy() throws Exception
    {
        final Model model = TestModels.model(3, TestModels.canary("1", "2", 1_000), ShadowListener.NONE);
        final Route route = new Route();
        assertTrue(model.route("k", "2", route));
        assertEquals("2", route.version().version());
        assertEquals(Role.CANARY, route.role());
        route.release();
        assertTrue(model.route("k", "3", route));
        assertEquals(Role.PINNED, route.role());
        route.release();
        assertTrue(model.route("k", "1", route));
        assertEquals(Role.CHAMPION, route.role());
        route.release();
        assertFalse(model.route("k", "9", route), "version 9 is not loaded");
        model.close();
    }

    /** The role the request path gives a key, as a request would see it. */
    private static Role roleOf(final Model model, final String key)
    {
        final Route route = new Route();
        assertTrue(model.route(key, "", route));
        final Role role = route.role();
        route.release();
        return role;
    }
}
