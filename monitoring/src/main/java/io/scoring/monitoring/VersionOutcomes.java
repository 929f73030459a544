package io.scoring.monitoring;

import io.scoring.monitoring.feedback.VersionAccuracy;
import io.scoring.monitoring.segments.ModelSegmentReport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One model version's outcomes: the last {@link Monitoring.Context#feedbackWindowLabels()} (score, label,
 * segment groups) triples and the online metrics over them, overall and per segment group, plus the
 * version's {@link SegmentTally} of every scored row.
 *
 * <p>Threading: the window is synchronized (labels arrive on feedback threads, reports on admin and the
 * monitoring thread); the tally is lock-free ({@link #tally} on the request path). Fixed arrays; a report
 * sorts copies it allocates.
 */
final class VersionOutcomes
{
    private static final double CLIP = 1e-15;

    private final VersionSpec spec;
    private final Monitoring.Context config;
    private final SegmentIndex segments;
    private final SegmentTally tally;
    private final float[] scores;
    private final byte[] labels;
    private final long[] groups;
    private int next;
    private int size;

    VersionOutcomes(final VersionSpec spec, final Monitoring.Context config)
    {
        this.spec = spec;
        this.config = config;
        this.segments = new SegmentIndex(spec);
        this.tally = new SegmentTally(segments, spec.decisionThreshold());
        this.scores = new float[config.feedbackWindowLabels()];
        this.labels = new byte[config.feedbackWindowLabels()];
        this.groups = new long[config.feedbackWindowLabels()];
    }

    VersionSpec spec()
    {
        return spec;
    }

    SegmentIndex segments()
    {
        return segments;
    }

    SegmentTally tally()
    {
        return tally;
    }

    /** @param segmentGroups the prediction's groups, {@link SegmentIndex#pack packed}. */
    synchronized void add(final float score, final int label, final long segmentGroups)
    {
        scores[next] = score;
        labels[next] = (byte)label;
        groups[next] = segmentGroups;
        next = next + 1 == scores.length ? 0 : next + 1;
        size = Math.min(size + 1, scores.length);
    }

    synchronized VersionAccuracy accuracy()
    {
        final Figures all = figures(-1, -1);
        return new VersionAccuracy(spec.version(), all.labels, all.positives, spec.decisionThreshold(),
            all.auc, all.logLoss, all.cost);
    }

    /** Every segment's groups and gap; segments without any row yet report NaN rates. */
    synchronized ModelSegmentReport.VersionSegments segmentFigures(final long nowMillis)
    {
        final List<ModelSegmentReport.SegmentFigures> result = new ArrayList<>();
        for (int s = 0; s < segments.count(); s++)
        {
            final Segment segment = segments.segments().get(s);
            final int k = segment.groups().size();
            final List<ModelSegmentReport.GroupFigures> groupFigures = new ArrayList<>(k);
            final long[] decidedPositive = new long[k];
            final long[] decidedNegative = new long[k];
            final long[] caught = new long[k];
            final long[] missed = new long[k];
            for (int g = 0; g < k; g++)
            {
                final long requests = tally.requests(s, g);
                final long positives = tally.positives(s, g);
                final Figures labelled = figures(s, g);
                decidedPositive[g] = positives;
                decidedNegative[g] = requests - positives;
                caught[g] = labelled.truePositives;
                missed[g] = labelled.positives - labelled.truePositives;
                groupFigures.add(new ModelSegmentReport.GroupFigures(segment.groups().get(g).name(), requests, positives,
                    requests == 0 ? Double.NaN : (double)positives / requests, tally.scoreBins(s, g),
                    labelled.labels, labelled.positives, labelled.auc,
                    labelled.labels == 0 ? Double.NaN : (double)labelled.errors / labelled.labels, labelled.cost,
                    labelled.positives == 0 ? Double.NaN : (double)labelled.truePositives / labelled.positives));
            }
            result.add(new ModelSegmentReport.SegmentFigures(segment.feature(), groupFigures,
                gap(groupFigures, decidedPositive, decidedNegative, caught, missed)));
        }
        return new ModelSegmentReport.VersionSegments(spec.version(), nowMillis, result);
    }

    private ModelSegmentReport.Gap gap(
        final List<ModelSegmentReport.GroupFigures> figures,
        final long[] decidedPositive,
        final long[] decidedNegative,
        final long[] caught,
        final long[] missed)
    {
        double lowestRate = Double.POSITIVE_INFINITY;
        double highestRate = Double.NEGATIVE_INFINITY;
        double lowestTpr = Double.POSITIVE_INFINITY;
        double highestTpr = Double.NEGATIVE_INFINITY;
        for (final ModelSegmentReport.GroupFigures group : figures)
        {
            if (group.requests() > 0)
            {
                lowestRate = Math.min(lowestRate, group.positiveRate());
                highestRate = Math.max(highestRate, group.positiveRate());
            }
            if (group.labelledPositives() > 0)
            {
                lowestTpr = Math.min(lowestTpr, group.truePositiveRate());
                highestTpr = Math.max(highestTpr, group.truePositiveRate());
            }
        }
        final double disparateImpact = highestRate > 0 ? lowestRate / highestRate : Double.NaN;
        final double equalOpportunity = highestTpr >= lowestTpr ? highestTpr - lowestTpr : Double.NaN;
        final double disparateImpactP = independencePValue(decidedPositive, decidedNegative);
        final double equalOpportunityP = independencePValue(caught, missed);
        final double alpha = config.segmentGapAlpha();
        final boolean alarm =
            (disparateImpact < config.segmentDisparateImpactMin() && disparateImpactP < alpha) ||
            (equalOpportunity > config.segmentEqualOpportunityMax() && equalOpportunityP < alpha);
        return new ModelSegmentReport.Gap(disparateImpact, disparateImpactP, equalOpportunity, equalOpportunityP, alarm);
    }

    /**
     * Pearson's chi-squared test of independence of a k x 2 table (groups x outcome), df = groups seen - 1;
     * for two groups it is the pooled two-proportion z-test, squared. NaN when either outcome never occurred
     * or only one group was seen.
     */
    private static double independencePValue(final long[] yes, final long[] no)
    {
        final int k = yes.length;
        long yesTotal = 0;
        long noTotal = 0;
        for (int g = 0; g < k; g++)
        {
            yesTotal += yes[g];
            noTotal += no[g];
        }
        final int degreesOfFreedom = ChiSquared.nonEmptyCategories(yes, no, k) - 1;
        if (yesTotal == 0 || noTotal == 0 || degreesOfFreedom < 1)
        {
            return Double.NaN;
        }
        return ChiSquared.pValue(ChiSquared.twoSampleStatistic(yes, no, k), degreesOfFreedom);
    }

    /** The window's figures over the labels of one segment group, or over all of them ({@code s < 0}). */
    private Figures figures(final int s, final int g)
    {
        final double threshold = spec.decisionThreshold();
        final Figures figures = new Figures();
        double logLoss = 0.0;
        double cost = 0.0;
        final long[] keys = new long[size];
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            if (s >= 0 && SegmentIndex.unpack(groups[i], s) != g)
            {
                continue;
            }
            final double p = Math.min(1.0 - CLIP, Math.max(CLIP, scores[i]));
            final boolean positive = labels[i] == 1;
            final boolean decidedPositive = scores[i] >= threshold;
            figures.positives += labels[i];
            logLoss -= positive ? Math.log(p) : Math.log(1.0 - p);
            if (positive && !decidedPositive)
            {
                cost += config.feedbackFalseNegativeCost();
                figures.errors++;
            }
            else if (!positive && decidedPositive)
            {
                cost += config.feedbackFalsePositiveCost();
                figures.errors++;
            }
            else if (positive)
            {
                figures.truePositives++;
            }
            keys[n++] = ((long)sortable(scores[i]) << 1) | labels[i];
        }
        figures.labels = n;
        if (n == 0)
        {
            return figures;
        }
        Arrays.sort(keys, 0, n); // by score, the label riding in the low bit
        final double[] sortedScores = new double[n];
        final byte[] sortedLabels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            sortedScores[i] = unsortable((int)(keys[i] >> 1));
            sortedLabels[i] = (byte)(keys[i] & 1);
        }
        figures.auc = Ranks.auc(sortedScores, sortedLabels, n);
        figures.logLoss = logLoss / n;
        figures.cost = cost / n;
        return figures;
    }

    /** What {@link #figures} counts over a set of labels. */
    private static final class Figures
    {
        long labels;
        long positives;
        long truePositives;
        long errors;
        double auc = Double.NaN;
        double logLoss = Double.NaN;
        double cost = Double.NaN;
    }

    /** A float's bits turned into an int that orders as the float does, negatives included. */
    private static int sortable(final float value)
    {
        final int bits = Float.floatToIntBits(value);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    private static float unsortable(final int key)
    {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }
}
