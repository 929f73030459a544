package io.scoring.monitoring;

/**
 * The regularized incomplete gamma functions, enough for chi-squared tail probabilities. Same
 * algorithms as Apache Commons Math 3 ({@code Gamma}): Lanczos log-gamma (g = 607/128), the power
 * series below {@code a + 1} and Lentz's continued fraction above it, both to a relative 1e-14.
 *
 * <p>Threading: stateless. Allocates nothing.
 */
final class Gamma
{
    /** Relative accuracy the series and the continued fraction stop at. */
    private static final double EPSILON = 1e-14;
    /** Guard against a series that does not converge (only for absurd arguments). */
    private static final int MAX_ITERATIONS = 1_000_000;
    /** Lanczos g = 607/128, the constant the coefficients below were computed for. */
    private static final double LANCZOS_G = 607.0 / 128.0;
    private static final double HALF_LOG_2_PI = 0.5 * Math.log(2.0 * Math.PI);
    private static final double[] LANCZOS = {
        0.99999999999999709182,
        57.156235665862923517,
        -59.597960355475491248,
        14.136097974741747174,
        -0.49191381609762019978,
        .33994649984811888699e-4,
        .46523628927048575665e-4,
        -.98374475304879564677e-4,
        .15808870322491248884e-3,
        -.21026444172410488319e-3,
        .21743961811521264320e-3,
        -.16431810653676389022e-3,
        .84418223983852743293e-4,
        -.26190838401581408670e-4,
        .36899182659531622704e-5,
    };
    /** Smallest positive double the continued fraction uses in place of zero (Lentz). */
    private static final double TINY = 1e-300;

    private Gamma()
    {
    }

    static double logGamma(final double x)
    {
        double sum = 0.0;
        for (int i = LANCZOS.length - 1; i > 0; --i)
        {
            sum += LANCZOS[i] / (x + i);
        }
        sum += LANCZOS[0];
        final double tmp = x + LANCZOS_G + 0.5;
        return ((x + 0.5) * Math.log(tmp)) - tmp + HALF_LOG_2_PI + Math.log(sum / x);
    }

    /** Q(a, x) = 1 - P(a, x), the upper tail; computed directly where that keeps small tails accurate. */
    static double regularizedGammaQ(final double a, final double x)
    {
        if (x <= 0.0)
        {
            return 1.0;
        }
        if (x < a + 1.0)
        {
            return 1.0 - series(a, x);
        }
        return continuedFraction(a, x);
    }

    private static double series(final double a, final double x)
    {
        double n = 0.0;
        double term = 1.0 / a;
        double sum = term;
        for (int i = 0; i < MAX_ITERATIONS && Math.abs(term / sum) > EPSILON; i++)
        {
            n += 1.0;
            term *= x / (a + n);
            sum += term;
        }
        return Math.exp(-x + (a * Math.log(x)) - logGamma(a)) * sum;
    }

    private static double continuedFraction(final double a, final double x)
    {
        double b = x + 1.0 - a;
        double c = 1.0 / TINY;
        double d = 1.0 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++)
        {
            final double an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            d = Math.abs(d) < TINY ? TINY : d;
            c = b + an / c;
            c = Math.abs(c) < TINY ? TINY : c;
            d = 1.0 / d;
            final double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1.0) <= EPSILON)
            {
                break;
            }
        }
        return Math.exp(-x + (a * Math.log(x)) - logGamma(a)) * h;
    }
}
