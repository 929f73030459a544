package io.scoring.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A train/test split that keeps each label's share the same in both parts.
 *
 * <p>Per label value (in ascending order), the rows holding it are shuffled with one
 * {@link Random}{@code (seed)} (Fisher-Yates; {@code Random}'s sequence is specified by the JDK, so the
 * split is the same on every JVM) and the first {@code round(count * testFraction)} go to test. Both
 * index lists come back in file order.
 */
public record StratifiedSplit(int[] train, int[] test)
{
    public static StratifiedSplit of(final float[] labels, final double testFraction, final long seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new IllegalArgumentException("testFraction must be in (0, 1): " + testFraction);
        }
        final TreeMap<Float, List<Integer>> rowsByLabel = new TreeMap<>();
        for (int i = 0; i < labels.length; i++)
        {
            rowsByLabel.computeIfAbsent(labels[i], label -> new ArrayList<>()).add(i);
        }

        final Random random = new Random(seed);
        final List<Integer> train = new ArrayList<>();
        final List<Integer> test = new ArrayList<>();
        for (final List<Integer> rows : rowsByLabel.values())
        {
            final int[] shuffled = rows.stream().mapToInt(Integer::intValue).toArray();
            for (int i = shuffled.length - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int swap = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = swap;
            }
            final int testCount = (int)Math.round(shuffled.length * testFraction);
            for (int i = 0; i < shuffled.length; i++)
            {
                (i < testCount ? test : train).add(shuffled[i]);
            }
        }
        return new StratifiedSplit(sorted(train), sorted(test));
    }

    /** Whether row {@code row} is in the test part. */
    public boolean isTest(final int row)
    {
        return Arrays.binarySearch(test, row) >= 0;
    }

    private static int[] sorted(final List<Integer> rows)
    {
        final int[] array = rows.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(array);
        return array;
    }
}
