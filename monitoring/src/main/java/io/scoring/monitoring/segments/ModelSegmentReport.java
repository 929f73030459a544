package io.scoring.monitoring.segments;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * A model's figures by subpopulation, per version and declared segment: each group's requests, score
 * distribution and positive-decision rate since the version loaded, its accuracy over the labelled
 * window, and the gap between the groups with its significance. For the admin API.
 */
public record ModelSegmentReport(String model, List<VersionSegments> versions)
{
    public record VersionSegments(String version, long evaluatedAtMillis, List<SegmentFigures> segments)
    {
    }

    /** One segment of a version: its groups, in declared order, and the gap between them. */
    public record SegmentFigures(String segment, List<GroupFigures> groups, Gap gap)
    {
    }

    /**
     * One group.
     *
     * @param positiveRate    rows decided positive (score at or above the threshold) / rows; NaN with no rows.
     * @param scoreBins       rows by score in ten equal bins of [0, 1].
     * @param labels          labelled predictions of the group in the version's label window.
     * @param auc             NaN until both classes were seen.
     * @param errorRate       decisions at the threshold that the label contradicts / labels.
     * @param costPerDecision mean cost under the cost matrix.
     * @param truePositiveRate positives decided positive / labelled positives; NaN without positives.
     */
    public record GroupFigures(
        String group,
        long requests,
        long positiveDecisions,
        double positiveRate,
        long[] scoreBins,
        long labels,
        long labelledPositives,
        double auc,
        double errorRate,
        double costPerDecision,
        double truePositiveRate)
    {
    }

    /**
     * The gap between a segment's groups.
     *
     * @param disparateImpact            lowest positive-decision rate / highest, over groups with requests.
     * @param disparateImpactPValue      chi-squared test that the decision does not depend on the group
     *                                   (k x 2 table of decisions; for two groups, the two-proportion z-test).
     * @param equalOpportunityDifference highest true-positive rate - lowest, over groups with labelled positives.
     * @param equalOpportunityPValue     the same test over the labelled positives' decisions.
     * @param alarm                      a gap beyond its configured bound and significant at the configured alpha.
     */
    public record Gap(
        double disparateImpact,
        double disparateImpactPValue,
        double equalOpportunityDifference,
        double equalOpportunityPValue,
        boolean alarm)
    {
    }

    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeArrayFieldStart("versions");
        for (final VersionSegments version : versions)
        {
            json.writeStartObject();
            json.writeStringField("version", version.version());
            json.writeNumberField("evaluated_at_millis", version.evaluatedAtMillis());
            json.writeArrayFieldStart("segments");
            for (final SegmentFigures segment : version.segments())
            {
                writeSegment(json, segment);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeSegment(final JsonGenerator json, final SegmentFigures segment) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("segment", segment.segment());
        json.writeArrayFieldStart("groups");
        for (final GroupFigures group : segment.groups())
        {
            json.writeStartObject();
            json.writeStringField("group", group.group());
            json.writeNumberField("requests", group.requests());
            json.writeNumberField("positive_decisions", group.positiveDecisions());
            json.writeNumberField("positive_rate", group.positiveRate());
            json.writeArrayFieldStart("score_bins");
            for (final long bin : group.scoreBins())
            {
                json.writeNumber(bin);
            }
            json.writeEndArray();
            json.writeNumberField("labels", group.labels());
            json.writeNumberField("labelled_positives", group.labelledPositives());
            json.writeNumberField("auc", group.auc());
            json.writeNumberField("error_rate", group.errorRate());
            json.writeNumberField("cost_per_decision", group.costPerDecision());
            json.writeNumberField("true_positive_rate", group.truePositiveRate());
            json.writeEndObject();
        }
        json.writeEndArray();
        final Gap gap = segment.gap();
        json.writeObjectFieldStart("gap");
        json.writeNumberField("disparate_impact", gap.disparateImpact());
        json.writeNumberField("disparate_impact_p_value", gap.disparateImpactPValue());
        json.writeNumberField("equal_opportunity_difference", gap.equalOpportunityDifference());
        json.writeNumberField("equal_opportunity_p_value", gap.equalOpportunityPValue());
        json.writeBooleanField("alarm", gap.alarm());
        json.writeEndObject();
        json.writeEndObject();
    }
}
