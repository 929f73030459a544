package io.scoring.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest
{
    @Test
    void shouldKeepTheShareOfBadApplicantsInBothParts() throws IOException
    {
        final CreditData data = CreditData.from(ArffReader.read(ArffReaderTest.CREDIT_G));
        final StratifiedSplit split = StratifiedSplit.of(data.labels(), 0.3, TrainCreditRisk.SEED);

        assertEquals(700, split.train().length);
        assertEquals(300, split.test().length);
        assertEquals(210, (int)ArffReaderTest.sum(data.labels(split.train())), "30% of the training part is bad");
        assertEquals(90, (int)ArffReaderTest.sum(data.labels(split.test())), "30% of the test part is bad");
    }

    @Test
    void shouldPutEveryRowInExactlyOnePartInFileOrder()
    {
        final float[] labels = labels(100, 7);
        final StratifiedSplit split = StratifiedSplit.of(labels, 0.3, 1);

        final int[] all = IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.test())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 100).toArray(), all);
        assertArrayEquals(Arrays.stream(split.test()).sorted().toArray(), split.test());
        assertArrayEquals(Arrays.stream(split.train()).sorted().toArray(), split.train());
    }

    @Test
    void shouldGiveTheSameSplitForTheSameSeed()
    {
        final float[] labels = labels(1000, 3);

        assertArrayEquals(StratifiedSplit.of(labels, 0.3, 42).test(), StratifiedSplit.of(labels, 0.3, 42).test());
        assertFalse(Arrays.equals(StratifiedSplit.of(labels, 0.3, 42).test(), StratifiedSplit.of(labels, 0.3, 43).test()));
    }

    /** Every {@code every}-th row is positive. */
    private static float[] labels(final int n, final int every)
    {
        final float[] labels = new float[n];
        for (int i = 0; i < n; i += every)
        {
            labels[i] = 1f;
        }
        return labels;
    }
}
