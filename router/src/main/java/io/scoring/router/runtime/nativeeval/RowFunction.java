package io.scoring.router.runtime.nativeeval;

/**
 * What the first node of a supported graph computes for one row of input: {@link #width()} floats,
 * exactly as ONNX Runtime's kernel for that node writes them. Immutable and shared by every thread;
 * {@code evaluate} allocates nothing.
 */
abstract class RowFunction
{
    private final int width;

    RowFunction(final int width)
    {
        this.width = width;
    }

    /** How many floats a row yields. */
    final int width()
    {
        return width;
    }

    /** The row's single value; only for a function of width 1. */
    abstract float evaluate(float[] input, int offset);

    /** Writes the row's {@code width()} values into {@code scratch.values}, using the rest of the scratch freely. */
    abstract void evaluate(float[] input, int offset, Scratch scratch);

    /** The runtime name the admin API shows for a graph headed by this function. */
    abstract String runtimeName();

    /** One thread's working space for functions wider than one value. */
    static final class Scratch
    {
        final float[] values;
        final boolean[] present;

        Scratch(final int width)
        {
            values = new float[width];
            present = new boolean[width];
        }
    }
}
