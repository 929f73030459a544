package io.scoring.gateway.pipeline;

import java.util.Arrays;

/**
 * A V2 (Open Inference Protocol) request's tensors as its decoder read them, before they are bound
 * to the model's features ({@code V2Binder}), and what the answer must look like: which outputs the
 * caller asked for and whether it wants them as raw bytes or typed contents.
 *
 * <pre>
 *   input i:  name, datatype, shape (a run of one array of dimensions),
 *             data:  a run of one array of numbers and a run of one array of texts; a decoded
 *                    tensor fills one of them (a JSON tensor that fills both is refused)
 * </pre>
 *
 * <p>Owned by a {@link ScoringContext} and reset with it; its arrays grow to the largest request seen
 * and then stay, so in steady state it allocates nothing. Threading: confined, like its context.
 */
public final class InferTensors
{
    /** The most outputs a model may have for requests to name a subset of them (one bit each). */
    public static final int MAX_REQUESTABLE_OUTPUTS = Long.SIZE;

    private int count;
    private CharSequence[] names = new CharSequence[4];
    private CharSequence[] datatypes = new CharSequence[4];
    private int[] shapeStarts = new int[4];
    private int[] shapeLengths = new int[4];
    private boolean[] textData = new boolean[4];
    private int[] numberStarts = new int[4];
    private int[] numberCounts = new int[4];
    private int[] textStarts = new int[4];
    private int[] textCounts = new int[4];

    private int shapeCount;
    private long[] shapes = new long[8];
    private int numberCount;
    private double[] numbers = new double[64];
    private int textCount;
    private CharSequence[] texts = new CharSequence[16];

    /** Bit j set: the caller asked for output j. None set: it asked for all. */
    private long requestedOutputs;
    private boolean rawAnswer;

    void reset()
    {
        count = 0;
        shapeCount = 0;
        numberCount = 0;
        textCount = 0;
        requestedOutputs = 0;
        rawAnswer = false;
    }

    /** Adds an input without name, datatype, shape or data and returns its index. */
    public int add()
    {
        if (count == names.length)
        {
            final int capacity = count * 2;
            names = Arrays.copyOf(names, capacity);
            datatypes = Arrays.copyOf(datatypes, capacity);
            shapeStarts = Arrays.copyOf(shapeStarts, capacity);
            shapeLengths = Arrays.copyOf(shapeLengths, capacity);
            textData = Arrays.copyOf(textData, capacity);
            numberStarts = Arrays.copyOf(numberStarts, capacity);
            numberCounts = Arrays.copyOf(numberCounts, capacity);
            textStarts = Arrays.copyOf(textStarts, capacity);
            textCounts = Arrays.copyOf(textCounts, capacity);
        }
        names[count] = "";
        datatypes[count] = "";
        shapeStarts[count] = shapeCount;
        shapeLengths[count] = 0;
        startData(count, false);
        return count++;
    }

    public int count()
    {
        return count;
    }

    public void name(final int input, final CharSequence name)
    {
        names[input] = name;
    }

    public CharSequence name(final int input)
    {
        return names[input];
    }

    public void datatype(final int input, final CharSequence datatype)
    {
        datatypes[input] = datatype;
    }

    public CharSequence datatype(final int input)
    {
        return datatypes[input];
    }

    /** Starts the input's shape afresh (a repeated JSON {@code shape}: the last one wins). */
    public void clearShape(final int input)
    {
        if (shapeStarts[input] + shapeLengths[input] == shapeCount)
        {
            shapeCount = shapeStarts[input];
        }
        shapeStarts[input] = shapeCount;
        shapeLengths[input] = 0;
    }

    /** Appends a dimension to the input's shape; only the input decoded last may grow. */
    public void addDimension(final int input, final long dimension)
    {
        if (shapeCount == shapes.length)
        {
            shapes = Arrays.copyOf(shapes, shapeCount * 2);
        }
        shapes[shapeCount++] = dimension;
        shapeLengths[input]++;
    }

    public int rank(final int input)
    {
        return shapeLengths[input];
    }

    public long dimension(final int input, final int axis)
    {
        return shapes[shapeStarts[input] + axis];
    }

    /**
     * Starts the input's data: its elements are the numbers and texts appended from now until data is
     * started for another input. {@code text}: whether it holds texts while it holds no element.
     */
    public void startData(final int input, final boolean text)
    {
        textData[input] = text;
        numberStarts[input] = numberCount;
        numberCounts[input] = 0;
        textStarts[input] = textCount;
        textCounts[input] = 0;
    }

    public void addNumber(final int input, final double number)
    {
        if (numberCount == numbers.length)
        {
            numbers = Arrays.copyOf(numbers, numberCount * 2);
        }
        numbers[numberCount++] = number;
        if (numberCounts[input]++ == 0 && textCounts[input] == 0)
        {
            textData[input] = false;
        }
    }

    public void addText(final int input, final CharSequence text)
    {
        if (textCount == texts.length)
        {
            texts = Arrays.copyOf(texts, textCount * 2);
        }
        texts[textCount++] = text;
        if (textCounts[input]++ == 0 && numberCounts[input] == 0)
        {
            textData[input] = true;
        }
    }

    /** True when the input's elements are texts (its first element was one; datatype BYTES); false for numbers. */
    public boolean isText(final int input)
    {
        return textData[input];
    }

    /** True when the input holds both numbers and texts. */
    public boolean mixed(final int input)
    {
        return numberCounts[input] > 0 && textCounts[input] > 0;
    }

    public int size(final int input)
    {
        return numberCounts[input] + textCounts[input];
    }

    public double number(final int input, final int index)
    {
        return numbers[numberStarts[input] + index];
    }

    public CharSequence text(final int input, final int index)
    {
        return texts[textStarts[input] + index];
    }

    /** The input's shape as {@code Arrays.toString} writes it, for error messages. */
    public String shapeText(final int input)
    {
        final StringBuilder text = new StringBuilder().append('[');
        for (int axis = 0; axis < rank(input); axis++)
        {
            text.append(axis > 0 ? ", " : "").append(dimension(input, axis));
        }
        return text.append(']').toString();
    }

    /** Asks for output {@code index} of the model (below {@link #MAX_REQUESTABLE_OUTPUTS}). */
    public void requestOutput(final int index)
    {
        requestedOutputs |= 1L << index;
    }

    /** Whether the answer carries output {@code index}: the caller asked for it, or for none in particular. */
    public boolean outputRequested(final int index)
    {
        return requestedOutputs == 0 || (requestedOutputs & 1L << index) != 0;
    }

    /** The answer's outputs go in {@code raw_output_contents} (the request used raw input contents). */
    public void rawAnswer(final boolean raw)
    {
        rawAnswer = raw;
    }

    public boolean rawAnswer()
    {
        return rawAnswer;
    }
}
