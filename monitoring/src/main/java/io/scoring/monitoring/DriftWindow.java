package io.scoring.monitoring;

import io.scoring.monitoring.drift.FeatureDrift;
import io.scoring.monitoring.drift.VersionDrift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last {@link Monitoring.Context#driftWindowRows()} sampled rows of one version, and their evaluation against
 * the version's {@link ReferenceProfile}.
 *
 * <p>Numeric features: two-sample KS between the window's values and the profile's reference sample
 * (exact D, asymptotic p; see {@link KolmogorovSmirnov}), and PSI over the profile's decile bins.
 * Categorical: Pearson's chi-squared of the window's category counts against the profile's training
 * counts, as a two-sample (homogeneity) test rather than goodness of fit against the shares taken as
 * exact, because they are estimates (see {@link ChiSquared}); df = categories seen in either - 1.
 * PSI over the categories. Bonferroni: a test alarms when its p is
 * below alpha divided by the number of features tested.
 *
 * <p>Threading: the monitoring thread only. Its arrays are sized once: adding a row allocates nothing;
 * an evaluation allocates only its result.
 */
final class DriftWindow
{
    private final String version;
    private final ReferenceProfile profile;
    private final Monitoring.Context config;
    private final int featureCount;
    private final float[] rows;
    private final double[] column;
    private final long[] counts;
    private int next;
    private int size;

    DriftWindow(final String version, final ReferenceProfile profile, final Monitoring.Context config)
    {
        this.version = version;
        this.profile = profile;
        this.config = config;
        this.featureCount = profile.features().size();
        this.rows = new float[config.driftWindowRows() * featureCount];
        this.column = new double[config.driftWindowRows()];
        int maxBins = 1;
        for (final FeatureReference feature : profile.features())
        {
            maxBins = Math.max(maxBins, feature.binCount());
        }
        this.counts = new long[maxBins];
    }

    /** Adds every row of a sample; a sample with another feature count (a mismatched model) is ignored. */
    void add(final Sample sample)
    {
        if (sample.featureCount() != featureCount)
        {
            return;
        }
        for (int row = 0; row < sample.rowCount(); row++)
        {
            final int at = next * featureCount;
            for (int f = 0; f < featureCount; f++)
            {
                rows[at + f] = sample.feature(row, f);
            }
            advance();
        }
    }

    void add(final float[] row)
    {
        System.arraycopy(row, 0, rows, next * featureCount, featureCount);
        advance();
    }

    private void advance()
    {
        next = next + 1 == config.driftWindowRows() ? 0 : next + 1;
        size = Math.min(size + 1, config.driftWindowRows());
    }

    int size()
    {
        return size;
    }

    /** A copy of the window's rows, row major (their order is the ring's, which the domain classifier ignores). */
    float[] copyRows()
    {
        return Arrays.copyOf(rows, size * featureCount);
    }

    VersionDrift evaluate(final long nowMillis)
    {
        final List<FeatureReference> features = profile.features();
        if (size < config.driftMinRows())
        {
            return new VersionDrift(version, nowMillis, size, false, config.driftAlpha() / featureCount,
                config.driftPsiThreshold(), List.of(), null);
        }
        final double correctedAlpha = config.driftAlpha() / featureCount;
        final List<FeatureDrift> results = new ArrayList<>(featureCount);
        for (int f = 0; f < featureCount; f++)
        {
            final FeatureReference feature = features.get(f);
            results.add(feature.isCategorical() ?
                categorical(f, feature, correctedAlpha) : numeric(f, feature, correctedAlpha));
        }
        return new VersionDrift(version, nowMillis, size, true, correctedAlpha, config.driftPsiThreshold(), results, null);
    }

    private FeatureDrift numeric(final int f, final FeatureReference feature, final double correctedAlpha)
    {
        final int bins = feature.binCount();
        Arrays.fill(counts, 0, bins, 0);
        int n = 0;
        for (int row = 0; row < size; row++)
        {
            final float value = rows[row * featureCount + f];
            if (Float.isFinite(value))
            {
                column[n++] = value;
                counts[feature.bin(value)]++;
            }
        }
        if (n == 0)
        {
            return new FeatureDrift(feature.name(), "ks", Double.NaN, Double.NaN, Double.NaN, 0, false, false,
                distribution(feature, n));
        }
        Arrays.sort(column, 0, n);
        final double[] reference = feature.sortedSample();
        final double d = KolmogorovSmirnov.statistic(column, n, reference, reference.length);
        final double p = KolmogorovSmirnov.pValue(d, n, reference.length);
        final double psi = PopulationStability.index(feature.shares(), counts, bins);
        return new FeatureDrift(feature.name(), "ks", d, p, psi, n, p < correctedAlpha, psi > config.driftPsiThreshold(),
            distribution(feature, n));
    }

    private FeatureDrift categorical(final int f, final FeatureReference feature, final double correctedAlpha)
    {
        final int categories = feature.binCount();
        Arrays.fill(counts, 0, categories, 0);
        int n = 0;
        for (int row = 0; row < size; row++)
        {
            final float value = rows[row * featureCount + f];
            final int code = (int)value;
            if (code == value && code >= 0 && code < categories)
            {
                counts[code]++;
                n++;
            }
        }
        final int degreesOfFreedom = ChiSquared.nonEmptyCategories(feature.counts(), counts, categories) - 1;
        if (n == 0 || degreesOfFreedom < 1)
        {
            return new FeatureDrift(feature.name(), "chi2", Double.NaN, Double.NaN, Double.NaN, n, false, false,
                distribution(feature, n));
        }
        final double chi2 = ChiSquared.twoSampleStatistic(feature.counts(), counts, categories);
        final double p = ChiSquared.pValue(chi2, degreesOfFreedom);
        final double psi = PopulationStability.index(feature.shares(), counts, categories);
        return new FeatureDrift(feature.name(), "chi2", chi2, p, psi, n, p < correctedAlpha, psi > config.driftPsiThreshold(),
            distribution(feature, n));
    }

    /** The reference's shares beside the window's, from {@link #counts} as the last evaluation left them. */
    private FeatureDrift.Distribution distribution(final FeatureReference feature, final int rows)
    {
        final double[] current = new double[feature.binCount()];
        for (int i = 0; i < current.length && rows > 0; i++)
        {
            current[i] = counts[i] / (double)rows;
        }
        return new FeatureDrift.Distribution(feature.binLabels(), feature.rawShares().clone(), current);
    }
}
