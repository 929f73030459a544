package io.scoring.training;

import java.util.SplittableRandom;

/**
 * A multi-layer perceptron for German Credit: standardized features, ReLU hidden layers, a sigmoid
 * output, trained by mini-batch SGD with momentum on the log loss. It exists to be expensive: the
 * overload benchmark (bench/scripts/overload.sh) needs a model whose scoring, not the transport, is the
 * gateway's bottleneck, as a real neural model's is. Deterministic for a seed.
 *
 * <p>Layer l's weights are row-major {@code [in, out]}, ONNX MatMul's layout; the standardization is
 * folded into the first layer, so the exported graph takes the gateway's raw feature vector.
 */
final class MlpTrainer
{
    /** The layers' weights ({@code [in * out]}, row-major) and biases ({@code [out]}). */
    record Mlp(int[] widths, float[][] weights, float[][] biases)
    {
        /** The probability of the positive class for one raw feature row. */
        float predict(final float[] row)
        {
            float[] activation = row;
            for (int layer = 0; layer < weights.length; layer++)
            {
                activation = dense(activation, weights[layer], biases[layer], widths[layer + 1], layer < weights.length - 1);
            }
            return sigmoid(activation[0]);
        }
    }

    static final float LEARNING_RATE = 0.01f;
    static final float MOMENTUM = 0.9f;
    static final int BATCH = 32;

    private MlpTrainer()
    {
    }

    /**
     * @param hidden the hidden layers' widths
     */
    static Trained<Mlp> train(final CreditData data, final int[] trainRows, final int[] hidden, final int epochs, final long seed)
    {
        final float[][] raw = data.rows(trainRows);
        final float[] labels = data.labels(trainRows);
        final int features = data.featureCount();
        final double[] mean = new double[features];
        final double[] scale = new double[features];
        for (final float[] row : raw)
        {
            for (int f = 0; f < features; f++)
            {
                mean[f] += row[f] / raw.length;
            }
        }
        for (final float[] row : raw)
        {
            for (int f = 0; f < features; f++)
            {
                scale[f] += (row[f] - mean[f]) * (row[f] - mean[f]) / raw.length;
            }
        }
        final float[][] rows = new float[raw.length][features];
        for (int f = 0; f < features; f++)
        {
            scale[f] = scale[f] > 0 ? Math.sqrt(scale[f]) : 1;
            for (int r = 0; r < raw.length; r++)
            {
                rows[r][f] = (float)((raw[r][f] - mean[f]) / scale[f]);
            }
        }

        final int[] widths = new int[hidden.length + 2];
        widths[0] = features;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = 1;
        final int layers = widths.length - 1;
        final SplittableRandom random = new SplittableRandom(seed);
        final float[][] w = new float[layers][];
        final float[][] b = new float[layers][];
        final float[][] vw = new float[layers][];
        final float[][] vb = new float[layers][];
        final float[][] gw = new float[layers][];
        final float[][] gb = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            w[l] = new float[widths[l] * widths[l + 1]];
            final double he = Math.sqrt(2.0 / widths[l]);
            for (int i = 0; i < w[l].length; i++)
            {
                w[l][i] = (float)(gaussian(random) * he);
            }
            b[l] = new float[widths[l + 1]];
            vw[l] = new float[w[l].length];
            vb[l] = new float[b[l].length];
            gw[l] = new float[w[l].length];
            gb[l] = new float[b[l].length];
        }

        final int[] order = new int[rows.length];
        for (int i = 0; i < order.length; i++)
        {
            order[i] = i;
        }
        final float[][] activations = new float[layers + 1][];
        final float[][] deltas = new float[layers][];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            shuffle(order, random);
            for (int start = 0; start < order.length; start += BATCH)
            {
                final int end = Math.min(order.length, start + BATCH);
                for (int l = 0; l < layers; l++)
                {
                    java.util.Arrays.fill(gw[l], 0);
                    java.util.Arrays.fill(gb[l], 0);
                }
                for (int k = start; k < end; k++)
                {
                    final int r = order[k];
                    activations[0] = rows[r];
                    for (int l = 0; l < layers; l++)
                    {
                        activations[l + 1] = dense(activations[l], w[l], b[l], widths[l + 1], l < layers - 1);
                    }
                    // log loss through the sigmoid: d loss / d margin = p - y
                    deltas[layers - 1] = new float[]{sigmoid(activations[layers][0]) - labels[r]};
                    for (int l = layers - 1; l >= 0; l--)
                    {
                        final int in = widths[l];
                        final int out = widths[l + 1];
                        final float[] delta = deltas[l];
                        final float[] input = activations[l];
                        for (int i = 0; i < in; i++)
                        {
                            final float x = input[i];
                            if (x != 0)
                            {
                                final int base = i * out;
                                for (int o = 0; o < out; o++)
                                {
                                    gw[l][base + o] += x * delta[o];
                                }
                            }
                        }
                        for (int o = 0; o < out; o++)
                        {
                            gb[l][o] += delta[o];
                        }
                        if (l > 0)
                        {
                            final float[] previous = new float[in];
                            for (int i = 0; i < in; i++)
                            {
                                if (input[i] > 0) // ReLU's derivative
                                {
                                    float sum = 0;
                                    final int base = i * out;
                                    for (int o = 0; o < out; o++)
                                    {
                                        sum += w[l][base + o] * delta[o];
                                    }
                                    previous[i] = sum;
                                }
                            }
                            deltas[l - 1] = previous;
                        }
                    }
                }
                final float step = LEARNING_RATE / (end - start);
                for (int l = 0; l < layers; l++)
                {
                    for (int i = 0; i < w[l].length; i++)
                    {
                        vw[l][i] = MOMENTUM * vw[l][i] - step * gw[l][i];
                        w[l][i] += vw[l][i];
                    }
                    for (int i = 0; i < b[l].length; i++)
                    {
                        vb[l][i] = MOMENTUM * vb[l][i] - step * gb[l][i];
                        b[l][i] += vb[l][i];
                    }
                }
            }
        }

        // fold the standardization into the first layer: w' = w / scale, b' = b - sum(w * mean / scale)
        for (int f = 0; f < features; f++)
        {
            final int base = f * widths[1];
            for (int o = 0; o < widths[1]; o++)
            {
                b[0][o] -= (float)(w[0][base + o] * mean[f] / scale[f]);
                w[0][base + o] = (float)(w[0][base + o] / scale[f]);
            }
        }
        final Mlp mlp = new Mlp(widths, w, b);
        final float[][] all = data.rows();
        final float[] probabilities = new float[all.length];
        for (int r = 0; r < all.length; r++)
        {
            probabilities[r] = mlp.predict(all[r]);
        }
        return new Trained<>(mlp, probabilities, java.util.Map.of("hidden", java.util.Arrays.toString(hidden),
            "epochs", epochs, "learning_rate", LEARNING_RATE, "momentum", MOMENTUM, "batch", BATCH, "seed", seed));
    }

    static float[] dense(final float[] input, final float[] weights, final float[] bias, final int out, final boolean relu)
    {
        final float[] output = bias.clone();
        for (int i = 0; i < input.length; i++)
        {
            final float x = input[i];
            if (x != 0)
            {
                final int base = i * out;
                for (int o = 0; o < out; o++)
                {
                    output[o] += x * weights[base + o];
                }
            }
        }
        if (relu)
        {
            for (int o = 0; o < out; o++)
            {
                output[o] = Math.max(0, output[o]);
            }
        }
        return output;
    }

    static float sigmoid(final float margin)
    {
        return (float)(1 / (1 + Math.exp(-margin)));
    }

    private static double gaussian(final SplittableRandom random)
    {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static void shuffle(final int[] order, final SplittableRandom random)
    {
        for (int i = order.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
