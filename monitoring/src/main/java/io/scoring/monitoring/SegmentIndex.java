package io.scoring.monitoring;

import java.util.Arrays;
import java.util.List;

/**
 * A version's segments compiled for the request path: which feature each reads, and the group a value
 * falls in (a category-code table for a categorical feature, the ranges in order for a numeric one).
 * Immutable; {@link #group} and {@link #pack} allocate nothing.
 */
final class SegmentIndex
{
    /** The packed code of "in no group" for one segment. */
    static final int NO_GROUP = 0xFF;
    /** Every segment in no group: what a prediction without segments carries. */
    static final long NONE = -1L;

    private final List<Segment> segments;
    private final int[] featureIndex;
    private final int[][] groupOfCode;
    private final double[][] from;
    private final double[][] below;

    SegmentIndex(final VersionSpec spec)
    {
        segments = spec.segments();
        final int count = segments.size();
        featureIndex = new int[count];
        groupOfCode = new int[count][];
        from = new double[count][];
        below = new double[count][];
        for (int s = 0; s < count; s++)
        {
            final Segment segment = segments.get(s);
            final int f = indexOf(spec.features(), segment.feature());
            featureIndex[s] = f;
            final MonitoredFeature feature = spec.features().get(f);
            final List<Segment.Group> groups = segment.groups();
            if (feature.isCategorical())
            {
                groupOfCode[s] = new int[feature.categories().size()];
                Arrays.fill(groupOfCode[s], -1);
                for (int g = 0; g < groups.size(); g++)
                {
                    for (final String category : groups.get(g).categories())
                    {
                        groupOfCode[s][feature.categories().indexOf(category)] = g;
                    }
                }
            }
            else
            {
                from[s] = groups.stream().mapToDouble(Segment.Group::from).toArray();
                below[s] = groups.stream().mapToDouble(Segment.Group::below).toArray();
            }
        }
    }

    /** Rejects a segment that names no feature of the model, a category it lacks, or a range on a categorical one. */
    static void check(final String model, final Segment segment, final List<MonitoredFeature> features)
    {
        final int f = indexOf(features, segment.feature());
        final String where = model + ": segment '" + segment.feature() + "'";
        if (f < 0)
        {
            throw new IllegalArgumentException(where + " names no feature of the model");
        }
        final MonitoredFeature feature = features.get(f);
        final boolean[] taken = new boolean[feature.categories().size()];
        for (final Segment.Group group : segment.groups())
        {
            if (feature.isCategorical() != !group.categories().isEmpty())
            {
                throw new IllegalArgumentException(where + ", group '" + group.name() + "': " +
                    (feature.isCategorical() ? "a categorical feature's group lists categories" :
                        "a numeric feature's group is a range (from, below)"));
            }
            for (final String category : group.categories())
            {
                final int code = feature.categories().indexOf(category);
                if (code < 0)
                {
                    throw new IllegalArgumentException(where + ", group '" + group.name() + "': '" + category +
                        "' is not a category of the feature");
                }
                if (taken[code])
                {
                    throw new IllegalArgumentException(where + ": category '" + category + "' is in two groups");
                }
                taken[code] = true;
            }
        }
    }

    private static int indexOf(final List<MonitoredFeature> features, final String name)
    {
        for (int i = 0; i < features.size(); i++)
        {
            if (features.get(i).name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    List<Segment> segments()
    {
        return segments;
    }

    int count()
    {
        return featureIndex.length;
    }

    /** The group of segment {@code s} the row at {@code offset} of {@code features} falls in, or -1. */
    int group(final int s, final float[] features, final int offset)
    {
        final float value = features[offset + featureIndex[s]];
        final int[] codes = groupOfCode[s];
        if (null != codes)
        {
            final int code = (int)value;
            return code == value && code >= 0 && code < codes.length ? codes[code] : -1;
        }
        final double[] lower = from[s];
        final double[] upper = below[s];
        for (int g = 0; g < lower.length; g++)
        {
            if (value >= lower[g] && value < upper[g])
            {
                return g;
            }
        }
        return -1;
    }

    /** Every segment's group of one row, a byte each ({@link #NO_GROUP} for none), segment 0 lowest. */
    long pack(final float[] features, final int offset)
    {
        long packed = NONE;
        for (int s = 0; s < featureIndex.length; s++)
        {
            final int g = group(s, features, offset);
            if (g >= 0)
            {
                packed &= ~(0xFFL << (8 * s));
                packed |= (long)g << (8 * s);
            }
        }
        return packed;
    }

    /** Segment {@code s}'s group in a packed code, or -1. */
    static int unpack(final long packed, final int s)
    {
        final int g = (int)(packed >>> (8 * s)) & 0xFF;
        return g == NO_GROUP ? -1 : g;
    }
}
