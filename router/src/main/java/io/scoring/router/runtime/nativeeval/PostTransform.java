package io.scoring.router.runtime.nativeeval;

/**
 * The ai.onnx.ml {@code post_transform} values, computed in float exactly as ONNX Runtime's
 * {@code ml_common.h} does (its probit is an approximation of the inverse error function, not the
 * exact quantile, so it is copied operation for operation). Allocates nothing.
 */
enum PostTransform
{
    NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT;

    /** {@code 2 / (pi * 0.147)} and {@code 1 / 0.147} as ONNX Runtime's float constants fold them. */
    private static final float ERF_INV_A = 2f / ((float)Math.PI * 0.147f);
    private static final float ERF_INV_B = 1f / 0.147f;
    private static final float SQRT_2 = (float)Math.sqrt(2.0);
    /** SOFTMAX_ZERO leaves values within this distance of zero out of the sum. */
    private static final float ZERO_EPSILON = 0.0000001f;

    static PostTransform parse(final String name, final Attributes attributes) throws UnsupportedGraphException
    {
        for (final PostTransform transform : values())
        {
            if (transform.name().equals(name))
            {
                return transform;
            }
        }
        throw attributes.unsupported("post_transform '" + name + "'");
    }

    /** Applies the transform to {@code count} values in place, as ONNX Runtime does for two or more scores. */
    void applyTo(final float[] values, final int count)
    {
        switch (this)
        {
            case LOGISTIC ->
            {
                for (int i = 0; i < count; i++)
                {
                    values[i] = logistic(values[i]);
                }
            }
            case PROBIT ->
            {
                for (int i = 0; i < count; i++)
                {
                    values[i] = probit(values[i]);
                }
            }
            case SOFTMAX -> softmax(values, count);
            case SOFTMAX_ZERO -> softmaxZero(values, count);
            case NONE ->
            {
            }
        }
    }

    /** ONNX Runtime's {@code ComputeLogistic}: symmetric, so large negative inputs keep their precision. */
    static float logistic(final float value)
    {
        final float v = 1f / (1f + (float)Math.exp(-Math.abs(value)));
        return value < 0 ? 1f - v : v;
    }

    /** ONNX Runtime's {@code ComputeProbit}: {@code sqrt(2) * ErfInv(2p - 1)} with its approximate ErfInv. */
    static float probit(final float value)
    {
        return SQRT_2 * erfInv(2f * value - 1f);
    }

    private static float erfInv(final float value)
    {
        final float sign = value < 0 ? -1f : 1f;
        final float x = (1f - value) * (1f + value);
        final float log = (float)Math.log(x);
        final float v = ERF_INV_A + 0.5f * log;
        final float v2 = ERF_INV_B * log;
        final float v3 = -v + (float)Math.sqrt(v * v - v2);
        return sign * (float)Math.sqrt(v3);
    }

    static void softmax(final float[] values, final int count)
    {
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < count; i++)
        {
            if (values[i] > max)
            {
                max = values[i];
            }
        }
        float sum = 0f;
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)Math.exp(values[i] - max);
            sum += values[i];
        }
        for (int i = 0; i < count; i++)
        {
            values[i] = values[i] / sum;
        }
    }

    private static void softmaxZero(final float[] values, final int count)
    {
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < count; i++)
        {
            if (values[i] > max)
            {
                max = values[i];
            }
        }
        final float expNegMax = (float)Math.exp(-max);
        float sum = 0f;
        for (int i = 0; i < count; i++)
        {
            if (values[i] > ZERO_EPSILON || values[i] < -ZERO_EPSILON)
            {
                values[i] = (float)Math.exp(values[i] - max);
                sum += values[i];
            }
            else
            {
                values[i] = values[i] * expNegMax;
            }
        }
        for (int i = 0; i < count; i++)
        {
            values[i] = values[i] / sum;
        }
    }
}
