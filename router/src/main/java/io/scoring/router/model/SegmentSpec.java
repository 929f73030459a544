package io.scoring.router.model;

import java.util.List;

/**
 * A subpopulation split as model.json declares it ({@code "segments"}): a feature and its groups, each
 * a list of categories (categorical feature) or a range {@code from <= value < below} (numeric; a missing
 * end is open). Monitoring reports figures per group and the gap between them. Immutable; validated by
 * {@link ModelConfig} against the model's features.
 */
public record SegmentSpec(String feature, List<Group> groups)
{
    public SegmentSpec
    {
        groups = List.copyOf(groups);
    }

    public record Group(String name, List<String> categories, double from, double below)
    {
        public Group
        {
            categories = List.copyOf(categories);
        }
    }
}
