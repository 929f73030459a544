package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleQueueTest
{
    private static final VersionSpec SPEC = new VersionSpec("credit-risk", "v1",
        List.of(MonitoredFeature.numeric("amount"), MonitoredFeature.categorical("purpose", List.of("car", "tv"))), 0.5, null);

    private final Counter dropped = new SimpleMeterRegistry().counter("dropped");
    private final SampleSources sources = new SampleSources();
    private final SampleSource champion = sources.register(SPEC, "champion");
    private final SampleSource shadow = sources.register(SPEC, "shadow");

    @Test
    void shouldDropAndCountWhenTheSampleQueueIsFull()
    {
        final SampleQueue queue = new SampleQueue(4096, dropped);
        int offered = 0;
        int result;
        while ((result = offer(queue, "req-" + offered)) == SampleQueue.OFFERED)
        {
            offered++;
        }

        assertEquals(SampleQueue.QUEUE_FULL, result);
        assertTrue(offered > 10, "a 4 KiB ring holds dozens of small records: " + offered);
        assertEquals(1.0, dropped.count());
        assertEquals(SampleQueue.QUEUE_FULL, offer(queue, "again"));
        assertEquals(2.0, dropped.count());
    }

    @Test
    void shouldDropAndCountARecordLargerThanTheRingAllows()
    {
        final SampleQueue queue = new SampleQueue(4096, dropped);
        final float[] features = new float[2 * 1_000];

        final int result = queue.offer(champion.id(), "big", 1L, features, 2, new float[1_000], 1_000, 0L, null);

        assertEquals(SampleQueue.TOO_LARGE, result);
        assertEquals(1.0, dropped.count());
    }

    @Test
    void shouldDropAndCountASampleWhoseArraysAreShorterThanItsShapeAndKeepTheQueueFlowing()
    {
        final SampleQueue queue = new SampleQueue(4096, dropped);
        final List<String> seen = new ArrayList<>();
        final SampleConsumer consumer = new SampleConsumer(queue, sources, List.of((sample) -> seen.add(sample.requestId())),
            dropped, dropped);

        assertEquals(SampleQueue.INVALID, queue.offer(champion.id(), "short", 1L, new float[3], 2, new float[2], 2, 0L, null));
        assertEquals(SampleQueue.OFFERED, offer(queue, "next"));
        consumer.poll();

        assertEquals(1.0, dropped.count());
        assertEquals(List.of("next"), seen);
    }

    @Test
    void shouldDeliverEveryFieldOfAnOfferedSampleToTheSinks()
    {
        final SampleQueue queue = new SampleQueue(4096, dropped);
        final List<String> seen = new ArrayList<>();
        final SampleSink sink = (sample) -> seen.add(sample.requestId() + " " + sample.epochMillis() + " " +
            sample.source().role() + " " + sample.rowCount() + "x" + sample.featureCount() + " " +
            sample.feature(0, 0) + "," + sample.feature(0, 1) + " " + sample.feature(1, 0) + "," + sample.feature(1, 1) +
            " " + sample.score(0) + "," + sample.score(1) + " " + sample.scoreNanos() + " " +
            sample.pairedSource(0).role() + " " + sample.pairedScore(0, 0) + "," + sample.pairedScore(0, 1) + " " +
            sample.pairedScoreNanos(0));
        final SampleConsumer consumer = new SampleConsumer(queue, sources, List.of(sink), dropped, dropped);
        final PairedScores paired = new PairedScores().clear();
        paired.add(shadow.id(), new float[] {0.3f, 0.4f}, 900L);

        queue.offer(champion.id(), "request-\u00e9", 1234L, new float[] {1500f, 1f, 800f, 0f}, 2,
            new float[] {0.1f, 0.2f}, 2, 1000L, paired);
        consumer.poll();

        assertEquals(List.of("request-? 1234 champion 2x2 1500.0,1.0 800.0,0.0 0.1,0.2 1000 shadow 0.3,0.4 900"), seen);
    }

    @Test
    void shouldRefuseAndCountOffersAfterClose()
    {
        final SampleQueue queue = new SampleQueue(4096, dropped);
        new SampleConsumer(queue, sources, List.of(), dropped, dropped).close();

        assertEquals(SampleQueue.CLOSED, offer(queue, "late"));
        assertEquals(1.0, dropped.count());
    }

    private int offer(final SampleQueue queue, final String requestId)
    {
        return queue.offer(champion.id(), requestId, 1L, new float[] {1f, 0f}, 2, new float[] {0.5f}, 1, 10L, null);
    }
}
