package io.scoring.monitoring;

import java.util.List;
import java.util.Objects;

/**
 * A subpopulation split declared in a model's config: one feature, and the groups its values fall
 * into. A categorical feature's group lists its categories; a numeric feature's group is a range
 * {@code from <= value < below} (either end open: infinite). A value in no group is not counted in
 * the segment. Immutable; {@link VersionSpec} checks it against the version's features.
 */
public record Segment(String feature, List<Group> groups)
{
    /** At most this many segments per model: their group codes pack, a byte each, into one long. */
    public static final int MAX_SEGMENTS = 8;
    /** At most this many groups per segment; the byte 255 means "in no group". */
    public static final int MAX_GROUPS = 255;

    public Segment
    {
        Objects.requireNonNull(feature, "feature");
        groups = List.copyOf(groups);
        if (groups.size() < 2 || groups.size() > MAX_GROUPS)
        {
            throw new IllegalArgumentException("segment '" + feature + "' needs 2 to " + MAX_GROUPS + " groups, got " +
                groups.size());
        }
    }

    /**
     * One group: its name and either categories or a numeric range.
     *
     * @param from  inclusive lower bound; {@code -Infinity} for none (numeric groups only).
     * @param below exclusive upper bound; {@code +Infinity} for none.
     */
    public record Group(String name, List<String> categories, double from, double below)
    {
        public Group
        {
            Objects.requireNonNull(name, "name");
            categories = List.copyOf(categories);
            if (categories.isEmpty() && !(from < below))
            {
                throw new IllegalArgumentException("group '" + name + "': from (" + from + ") must be below 'below' (" +
                    below + ")");
            }
        }

        public static Group of(final String name, final List<String> categories)
        {
            return new Group(name, categories, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        }

        public static Group range(final String name, final double from, final double below)
        {
            return new Group(name, List.of(), from, below);
        }
    }
}
