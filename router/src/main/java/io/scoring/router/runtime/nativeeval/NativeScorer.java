package io.scoring.router.runtime.nativeeval;

import io.scoring.router.runtime.OutputForm;
import io.scoring.router.runtime.Scorer;

import java.util.List;

/**
 * Scores with a graph compiled to Java: per row, the graph's first node ({@link RowFunction}), then
 * the elementwise nodes after it, writing each configured output where the graph produces it.
 *
 * <pre>
 *   row --head--> w values --vector ops--> [select column] --scalar ops, with taps--> outputs
 *                 (w = 1: no vector stage, no scratch)
 * </pre>
 *
 * <p>Threading: immutable; {@link #score} is safe from any number of threads. A head one value wide
 * (regressors, binary linear models: the common case) needs no state at all; a wider one (classes,
 * targets) works in a small per-thread scratch created on the thread's first call.
 *
 * <p>Never allocates, blocks or throws on the hot path: a call with more rows than {@link #maxRows}
 * or arrays too short for them answers {@link #FAILED}.
 */
final class NativeScorer implements Scorer
{
    /** Elementwise operations, on every value of the vector stage or on the selected scalar. */
    static final byte SIGMOID = 1;
    static final byte SOFTMAX = 2;

    private final RowFunction head;
    private final byte[] vectorOps;
    private final int column;
    private final byte[] scalarOps;
    /** Taps in order of position: output {@code tapOutput[t]} is the scalar after {@code tapAfter[t]} scalar ops. */
    private final int[] tapOutput;
    private final int[] tapAfter;
    private final int featureCount;
    private final int outputCount;
    private final int maxRows;
    private final List<OutputForm> forms;
    private final ThreadLocal<RowFunction.Scratch> scratchOfThread;

    NativeScorer(final RowFunction head, final byte[] vectorOps, final int column, final byte[] scalarOps,
        final int[] tapOutput, final int[] tapAfter, final int featureCount, final int maxRows,
        final List<OutputForm> forms)
    {
        this.forms = List.copyOf(forms);
        this.head = head;
        this.vectorOps = vectorOps;
        this.column = column;
        this.scalarOps = scalarOps;
        this.tapOutput = tapOutput;
        this.tapAfter = tapAfter;
        this.featureCount = featureCount;
        this.outputCount = tapOutput.length;
        this.maxRows = maxRows;
        this.scratchOfThread = head.width() == 1 ? null :
            ThreadLocal.withInitial(() -> new RowFunction.Scratch(head.width()));
    }

    @Override
    public int score(final float[] input, final int rows, final float[] output)
    {
        if (rows < 0 || rows > maxRows || input.length < rows * featureCount || output.length < rows * outputCount)
        {
            return FAILED;
        }
        if (null == scratchOfThread)
        {
            for (int row = 0; row < rows; row++)
            {
                emit(head.evaluate(input, row * featureCount), output, row * outputCount);
            }
            return OK;
        }
        final RowFunction.Scratch scratch = scratchOfThread.get();
        final float[] values = scratch.values;
        for (int row = 0; row < rows; row++)
        {
            head.evaluate(input, row * featureCount, scratch);
            for (final byte op : vectorOps)
            {
                if (op == SOFTMAX)
                {
                    PostTransform.softmax(values, values.length);
                }
                else
                {
                    PostTransform.LOGISTIC.applyTo(values, values.length);
                }
            }
            emit(values[column], output, row * outputCount);
        }
        return OK;
    }

    private void emit(final float selected, final float[] output, final int at)
    {
        float value = selected;
        int applied = 0;
        for (int t = 0; t < tapOutput.length; t++)
        {
            while (applied < tapAfter[t])
            {
                value = apply(scalarOps[applied++], value);
            }
            output[at + tapOutput[t]] = value;
        }
    }

    private static float apply(final byte op, final float value)
    {
        return op == SIGMOID ? PostTransform.logistic(value) : value;
    }

    @Override
    public List<OutputForm> outputForms()
    {
        return forms;
    }

    @Override
    public String runtimeName()
    {
        return head.runtimeName();
    }

    @Override
    public int maxRows()
    {
        return maxRows;
    }

    @Override
    public void close()
    {
        // nothing native to release: the model is plain Java arrays
    }
}
