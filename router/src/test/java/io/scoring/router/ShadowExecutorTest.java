package io.scoring.router;

import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shadows score off the response path: their results reach the listener, their trouble stays theirs. */
class ShadowExecutorTest
{
    private static final float[] INPUT = {1f};
    private static final float[] CHAMPION_SCORE = {0.1f};

    @Test
    void shouldHandTheShadowsScoreBesideTheChampionsToTheListener() throws Exception
    {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final Model model = TestModels.model(2, new TrafficPolicy("1", null,
            List.of(new TrafficPolicy.Share("2", 10_000))), (result) -> seen.add(result.requestId() + ":" +
            result.championVersion() + "=" + result.championScores()[0] + "," + result.shadowVersion() + "=" + result.shadowScores()[0]));
        final Route route = new Route();
        model.route("k", "", route);
        route.offerShadows("req-1", INPUT, CHAMPION_SCORE, 1, 1_000);
        route.release();

        awaitTrue(() -> seen.size() == 1);
        assertEquals("req-1:1=0.1,2=0.2", seen.get(0));
        assertEquals(1, model.shadowStats().get(0).scored());
        model.close();
    }

    @Test
    void shouldDropAndCountWhenASlowShadowsQueueIsFullWithoutBlockingTheCaller() throws Exception
    {
        final ModelVersion slow = new ModelVersion("m", "2", new TestModels.ConstantScorer(0.2f)
        {
            @Override
            public int score(final float[] input, final int rows, final float[] output)
            {
                sleep(20);
                return super.score(input, rows, output);
            }
        });
        final Model model = new Model(TestModels.config(), List.of(TestModels.version("1"), slow),
            new TrafficPolicy("1", null, List.of(new TrafficPolicy.Share("2", 10_000))), List.of(),
            TestModels.emptyStore(), ShadowListener.NONE, ModelListener.NONE, new ModelRepository.Context());
        final Route route = new Route();
        final long start = System.nanoTime();
        final int requests = 100_000;
        for (int i = 0; i < requests; i++)
        {
            model.route("k" + i, "", route);
            route.offerShadows("r", INPUT, CHAMPION_SCORE, 1, 1_000);
            route.release();
        }
        final long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        final Model.ShadowStats stats = model.shadowStats().get(0);
        assertTrue(stats.dropped() > 0, "a full queue drops: " + stats);
        assertTrue(elapsedMillis < requests * 20L / 100, "offers did not wait for the 20 ms shadow: " + elapsedMillis + " ms");
        model.setPolicy(TrafficPolicy.championOnly("1")); // stops the shadow after it drains
        model.close();
    }

    @Test
    void shouldCountAFailingShadowAndKeepGoing() throws Exception
    {
        final ModelVersion failing = new ModelVersion("m", "2", new TestModels.ConstantScorer(0.2f)
        {
            @Override
            public int score(final float[] input, final int rows, final float[] output)
            {
                throw new IllegalStateException("shadow runtime crashed");
            }
        });
        final Model model = new Model(TestModels.config(), List.of(TestModels.version("1"), failing),
            new TrafficPolicy("1", null, List.of(new TrafficPolicy.Share("2", 10_000))), List.of(),
            TestModels.emptyStore(), ShadowListener.NONE, ModelListener.NONE, new ModelRepository.Context());
        final Route route = new Route();
        for (int i = 0; i < 10; i++)
        {
            model.route("k" + i, "", route);
            route.offerShadows("r", INPUT, CHAMPION_SCORE, 1, 1_000);
            route.release();
        }
        awaitTrue(() -> model.shadowStats().get(0).failed() == 10);
        assertEquals(0, model.shadowStats().get(0).scored());
        model.close();
    }

    @Test
    void shouldSampleTheShadowsShareOfKeys() throws Exception
    {
        final Model model = TestModels.model(2, new TrafficPolicy("1", null,
            List.of(new TrafficPolicy.Share("2", 2_500))), ShadowListener.NONE);
        final Route route = new Route();
        for (int i = 0; i < 4_000; i++)
        {
            model.route("key-" + i, "", route);
            route.offerShadows("r", INPUT, CHAMPION_SCORE, 1, 1_000);
            route.release();
        }
        awaitTrue(() -> model.shadowStats().get(0).queuedBytes() == 0);
        assertEquals(1_000, model.shadowStats().get(0).scored(), 100);
        model.close();
    }

    @Test
    void shouldDropAndCountABatchTooLargeForASmallConfiguredRingWhileTheDefaultRingScoresIt() throws Exception
    {
        final int rows = 200; // 1,600 bytes of floats: more than an eighth of a 4 KiB ring, the most one record may take
        final float[] inputs = new float[rows];
        final float[] championScores = new float[rows];
        final TrafficPolicy shadowed = new TrafficPolicy("1", null, List.of(new TrafficPolicy.Share("2", 10_000)));
        final Model small = new Model(TestModels.config(), List.of(TestModels.version("1"), TestModels.version("2")),
            shadowed, List.of(), TestModels.emptyStore(), ShadowListener.NONE, ModelListener.NONE,
            new ModelRepository.Context().shadowRingBytes(4096));
        final Model standard = TestModels.model(2, shadowed, ShadowListener.NONE);
        final Route route = new Route();

        small.route("k", "", route);
        route.offerShadows("r", inputs, championScores, rows, 1_000);
        route.release();
        standard.route("k", "", route);
        route.offerShadows("r", inputs, championScores, rows, 1_000);
        route.release();

        assertEquals(1, small.shadowStats().get(0).dropped());
        awaitTrue(() -> standard.shadowStats().get(0).scored() == 1);
        small.close();
        standard.close();
    }

    @Test
    void shouldRefuseAShadowRingThatIsNotAPowerOfTwoNamingTheSettingAndTheValue()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new ModelRepository.Context().shadowRingBytes(5_000).conclude());

        assertEquals("shadow-ring-bytes must be a power of two of at least 4096, got 5000", refused.getMessage());
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
