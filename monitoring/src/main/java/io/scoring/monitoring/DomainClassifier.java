package io.scoring.monitoring;

import io.scoring.monitoring.drift.DomainDrift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Domain-classifier drift: a small gradient-boosted tree model is trained to tell the reference sample
 * (label 0) from the recent window (label 1), and its cross-validated AUC is the drift score. Unlike
 * the univariate tests it sees the features jointly, so it catches a change in how features go together
 * (a correlation broken or created) while every marginal stays the same.
 *
 * <p>Design. Histogram boosting (LightGBM's idea, written small): each feature is cut once into at most
 * {@link #BINS} quantile bins of the pooled rows (a categorical feature's code is its bin), so a split
 * search is a pass over per-bin gradient sums. {@link #TREES} trees of depth {@link #DEPTH}, logistic loss,
 * Newton leaves with L2 {@link #LAMBDA}, shrinkage {@link #LEARNING_RATE}. Depth 3 lets a tree express an
 * interaction of two or three features, which a linear classifier cannot: with unchanged marginals a
 * logistic regression on the raw features has nothing to separate. {@link #FOLDS}-fold cross-validation
 * (stratified, seeded) gives every row an out-of-fold score; the AUC of those scores is the drift score.
 *
 * <p>Significance: under "no drift" the out-of-fold scores carry no label information and their AUC is a
 * Mann-Whitney statistic with mean 1/2 and variance (n0 + n1 + 1) / (12 n0 n1); the p-value is the normal
 * tail above the observed AUC. The report also gives the Hanley-McNeil standard error of the observed AUC.
 * Feature importance: each feature's share of the split gain summed over every tree of every fold.
 *
 * <p>Cost: time O(folds x trees x depth x rows x features), memory O(rows x features) bytes of bins plus a
 * few doubles per row; measured in monitoring/README.md ("Domain-classifier drift").
 *
 * <p>Threading: one instance per run, on the thread that runs it; it keeps nothing between runs.
 */
final class DomainClassifier
{
    /** Bins per numeric feature: 32 quantiles resolve a split to 3 % of the rows, and a byte holds a bin. */
    static final int BINS = 32;
    /** Categorical codes past this share the last bin (the demo's widest feature has 11 categories). */
    static final int MAX_CATEGORY_BINS = 64;
    static final int FOLDS = 5;
    static final int TREES = 30;
    static final int DEPTH = 3;
    static final double LEARNING_RATE = 0.3;
    /** L2 on leaf weights: keeps a leaf of a few rows from a large step. */
    static final double LAMBDA = 1.0;
    /** A split must leave this much hessian (about 4 * rows at p = 1/2) on each side. */
    static final double MIN_CHILD_HESSIAN = 5.0;
    private static final int NODES = (1 << (DEPTH + 1)) - 1;

    private final List<MonitoredFeature> features;
    private final int featureCount;
    private final int rows;
    private final byte[] bins;
    private final int[] binCount;
    private final byte[] labels;
    private final double[] margin;
    private final double[] gradient;
    private final double[] hessian;
    private final int[] node;
    private final double[] histGradient;
    private final double[] histHessian;
    private final double[] gain;

    /**
     * @param reference reference rows, row major, {@code referenceRows x features.size()}.
     * @param window    recent rows, row major, {@code windowRows x features.size()}.
     */
    DomainClassifier(
        final List<MonitoredFeature> features,
        final float[] reference,
        final int referenceRows,
        final float[] window,
        final int windowRows)
    {
        this.features = features;
        this.featureCount = features.size();
        this.rows = referenceRows + windowRows;
        this.bins = new byte[rows * featureCount];
        this.binCount = new int[featureCount];
        this.labels = new byte[rows];
        Arrays.fill(labels, referenceRows, rows, (byte)1);
        final double[] column = new double[rows];
        for (int f = 0; f < featureCount; f++)
        {
            for (int r = 0; r < rows; r++)
            {
                column[r] = r < referenceRows ?
                    reference[r * featureCount + f] : window[(r - referenceRows) * featureCount + f];
            }
            bin(f, column);
        }
        this.margin = new double[rows];
        this.gradient = new double[rows];
        this.hessian = new double[rows];
        this.node = new int[rows];
        int maxBins = 0;
        for (final int count : binCount)
        {
            maxBins = Math.max(maxBins, count);
        }
        this.histGradient = new double[featureCount * maxBins];
        this.histHessian = new double[featureCount * maxBins];
        this.gain = new double[featureCount];
    }

    private void bin(final int f, final double[] column)
    {
        if (features.get(f).isCategorical())
        {
            binCount[f] = Math.min(MAX_CATEGORY_BINS, features.get(f).categories().size() + 1);
            for (int r = 0; r < rows; r++)
            {
                final int code = features.get(f).categoryCode((float)column[r]);
                bins[r * featureCount + f] = (byte)(code < 0 ? binCount[f] - 1 : Math.min(code, binCount[f] - 1));
            }
            return;
        }
        final double[] sorted = column.clone();
        Arrays.sort(sorted); // NaN sorts last: non-finite values land in the top bin
        final double[] edges = new double[BINS - 1];
        int edgeCount = 0;
        for (int j = 1; j < BINS; j++)
        {
            final double edge = sorted[(int)((long)j * rows / BINS)];
            if (Double.isFinite(edge) && (edgeCount == 0 || edge > edges[edgeCount - 1]))
            {
                edges[edgeCount++] = edge;
            }
        }
        binCount[f] = edgeCount + 1;
        for (int r = 0; r < rows; r++)
        {
            final int at = Arrays.binarySearch(edges, 0, edgeCount, column[r]);
            bins[r * featureCount + f] = (byte)(at >= 0 ? at + 1 : Double.isNaN(column[r]) ? edgeCount : -at - 1);
        }
    }

    /** Trains and scores {@link #FOLDS} folds and reads the drift off the out-of-fold scores. */
    DomainDrift run(final long seed, final double alpha, final double minAuc, final long nowMillis)
    {
        final long started = System.nanoTime();
        final int[] fold = folds(seed);
        final double[] outOfFold = new double[rows];
        final double[] leaf = new double[NODES];
        final int[] splitFeature = new int[NODES];
        final int[] splitBin = new int[NODES];
        for (int k = 0; k < FOLDS; k++)
        {
            Arrays.fill(margin, 0.0);
            for (int t = 0; t < TREES; t++)
            {
                gradients(fold, k);
                grow(fold, k, splitFeature, splitBin, leaf);
                for (int r = 0; r < rows; r++)
                {
                    margin[r] += LEARNING_RATE * leaf[route(r, splitFeature, splitBin)];
                }
            }
            for (int r = 0; r < rows; r++)
            {
                if (fold[r] == k)
                {
                    outOfFold[r] = margin[r];
                }
            }
        }
        return drift(outOfFold, alpha, minAuc, nowMillis, System.nanoTime() - started);
    }

    /** Stratified folds: each label's rows shuffled (seeded) and dealt round-robin. */
    private int[] folds(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] fold = new int[rows];
        final int[] order = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            order[r] = r;
        }
        for (int r = rows - 1; r > 0; r--)
        {
            final int other = random.nextInt(r + 1);
            final int swap = order[r];
            order[r] = order[other];
            order[other] = swap;
        }
        final int[] dealt = new int[2];
        for (final int r : order)
        {
            fold[r] = dealt[labels[r]]++ % FOLDS;
        }
        return fold;
    }

    private void gradients(final int[] fold, final int k)
    {
        for (int r = 0; r < rows; r++)
        {
            if (fold[r] != k)
            {
                final double p = 1.0 / (1.0 + Math.exp(-margin[r]));
                gradient[r] = p - labels[r];
                hessian[r] = Math.max(p * (1.0 - p), 1e-12);
            }
        }
    }

    /**
     * Grows one tree level by level on the training rows (fold != k); nodes are heap-numbered (children of
     * n are 2n+1, 2n+2), a node that does not split keeps feature -1 and is a leaf.
     */
    private void grow(final int[] fold, final int k, final int[] splitFeature, final int[] splitBin, final double[] leaf)
    {
        Arrays.fill(splitFeature, -1);
        Arrays.fill(node, 0);
        final double[] nodeGradient = new double[NODES];
        final double[] nodeHessian = new double[NODES];
        for (int r = 0; r < rows; r++)
        {
            if (fold[r] != k)
            {
                nodeGradient[0] += gradient[r];
                nodeHessian[0] += hessian[r];
            }
        }
        for (int depth = 0; depth < DEPTH; depth++)
        {
            final int first = (1 << depth) - 1;
            for (int n = first; n < 2 * first + 1; n++)
            {
                if (nodeHessian[n] >= 2 * MIN_CHILD_HESSIAN && (n == 0 || splitFeature[(n - 1) / 2] >= 0))
                {
                    split(fold, k, n, nodeGradient, nodeHessian, splitFeature, splitBin);
                }
            }
            for (int r = 0; r < rows; r++)
            {
                final int n = node[r];
                if (fold[r] != k && splitFeature[n] >= 0)
                {
                    final int child = (bins[r * featureCount + splitFeature[n]] & 0xFF) <= splitBin[n] ? 2 * n + 1 : 2 * n + 2;
                    node[r] = child;
                    nodeGradient[child] += gradient[r];
                    nodeHessian[child] += hessian[r];
                }
            }
        }
        for (int n = 0; n < NODES; n++)
        {
            leaf[n] = -nodeGradient[n] / (nodeHessian[n] + LAMBDA);
        }
    }

    /** Finds node n's best split over every feature's bin boundaries; records it and its gain when positive. */
    private void split(
        final int[] fold,
        final int k,
        final int n,
        final double[] nodeGradient,
        final double[] nodeHessian,
        final int[] splitFeature,
        final int[] splitBin)
    {
        final int stride = histGradient.length / featureCount;
        Arrays.fill(histGradient, 0.0);
        Arrays.fill(histHessian, 0.0);
        for (int r = 0; r < rows; r++)
        {
            if (fold[r] != k && node[r] == n)
            {
                final int at = r * featureCount;
                for (int f = 0; f < featureCount; f++)
                {
                    final int h = f * stride + (bins[at + f] & 0xFF);
                    histGradient[h] += gradient[r];
                    histHessian[h] += hessian[r];
                }
            }
        }
        final double parent = score(nodeGradient[n], nodeHessian[n]);
        double bestGain = 0.0;
        for (int f = 0; f < featureCount; f++)
        {
            double leftGradient = 0.0;
            double leftHessian = 0.0;
            for (int b = 0; b < binCount[f] - 1; b++)
            {
                leftGradient += histGradient[f * stride + b];
                leftHessian += histHessian[f * stride + b];
                final double rightHessian = nodeHessian[n] - leftHessian;
                if (leftHessian < MIN_CHILD_HESSIAN || rightHessian < MIN_CHILD_HESSIAN)
                {
                    continue;
                }
                final double gain = score(leftGradient, leftHessian) +
                    score(nodeGradient[n] - leftGradient, rightHessian) - parent;
                if (gain > bestGain)
                {
                    bestGain = gain;
                    splitFeature[n] = f;
                    splitBin[n] = b;
                }
            }
        }
        if (splitFeature[n] >= 0)
        {
            gain[splitFeature[n]] += bestGain;
        }
    }

    private static double score(final double gradientSum, final double hessianSum)
    {
        return gradientSum * gradientSum / (hessianSum + LAMBDA);
    }

    private int route(final int r, final int[] splitFeature, final int[] splitBin)
    {
        int n = 0;
        while (n < NODES && splitFeature[n] >= 0)
        {
            n = (bins[r * featureCount + splitFeature[n]] & 0xFF) <= splitBin[n] ? 2 * n + 1 : 2 * n + 2;
        }
        return n;
    }

    private DomainDrift drift(
        final double[] outOfFold, final double alpha, final double minAuc, final long nowMillis, final long nanos)
    {
        final double[] sorted = new double[rows];
        final Integer[] order = new Integer[rows];
        for (int r = 0; r < rows; r++)
        {
            order[r] = r;
        }
        Arrays.sort(order, (a, b) -> Double.compare(outOfFold[a], outOfFold[b]));
        final byte[] sortedLabels = new byte[rows];
        long windowRows = 0;
        for (int i = 0; i < rows; i++)
        {
            sorted[i] = outOfFold[order[i]];
            sortedLabels[i] = labels[order[i]];
            windowRows += sortedLabels[i];
        }
        final double auc = Ranks.auc(sorted, sortedLabels, rows);
        final double n1 = windowRows;
        final double n0 = rows - windowRows;
        final double nullSd = Math.sqrt((n0 + n1 + 1) / (12.0 * n0 * n1));
        final double z = (auc - 0.5) / nullSd;
        final double pValue = z <= 0 ? 1.0 : 0.5 * Gamma.regularizedGammaQ(0.5, z * z / 2.0);
        // Hanley & McNeil (1982): the AUC's standard error from its value and the two class sizes
        final double q1 = auc / (2 - auc);
        final double q2 = 2 * auc * auc / (1 + auc);
        final double standardError = Math.sqrt(
            (auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)) / (n0 * n1));
        double totalGain = 0.0;
        for (final double g : gain)
        {
            totalGain += g;
        }
        final List<DomainDrift.Importance> importances = new ArrayList<>();
        for (int f = 0; f < featureCount; f++)
        {
            if (gain[f] > 0)
            {
                importances.add(new DomainDrift.Importance(features.get(f).name(), gain[f] / totalGain));
            }
        }
        importances.sort((a, b) -> Double.compare(b.share(), a.share()));
        return new DomainDrift(nowMillis, (int)n0, (int)n1, auc, standardError, pValue,
            pValue < alpha && auc >= minAuc, nanos / 1_000_000.0, importances);
    }
}
