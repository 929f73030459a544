package io.scoring.gateway.http;

import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.MutableText;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.V2Binder;

/**
 * Reads a {@code POST /v2/models/{m}[/versions/{v}]/infer} body (the Open Inference Protocol's
 * inference request) into a {@link ScoringContext} without allocating, with the strict reader of
 * {@link JsonReader}, then binds its tensors ({@link V2Binder}).
 *
 * <pre>
 * {"id": "r-1", "parameters": {...},
 *  "inputs": [{"name": "duration", "datatype": "FP32", "shape": [2], "data": [24, 36], "parameters": {...}}, ...],
 *  "outputs": [{"name": "probability", "parameters": {...}}]}
 * </pre>
 *
 * <p><b>Structure.</b> {@code data} is flat or nested (row-major: nesting is read through, whatever its
 * shape), or a single element; elements are numbers, {@code true}/{@code false} (1 and 0) or strings,
 * not both in one tensor. {@code parameters} may hold any JSON value and are checked, then skipped.
 * Nesting deeper than {@link #MAX_DEPTH} (the document's, as Jackson counts it) is refused with the
 * field named, never left to fail later. Duplicate fields are applied in order, as the Jackson reader
 * did: a later {@code id}, {@code name}, {@code datatype} or {@code shape} wins, a second {@code inputs}
 * or {@code data} adds to the first. Unknown fields are refused, as are bytes after the object.
 *
 * <p><b>Errors.</b> What is not JSON, or not this shape, is a {@link JsonBodyException} naming the
 * field or the byte offset. What the binding refuses (shape against data, datatype against data,
 * rows, the complete input not alone) is the context's INVALID_ARGUMENT outcome, as for gRPC.
 *
 * <p>Threading: one decoder per thread; it keeps its buffer and scratch texts between requests.
 */
public final class V2JsonDecoder extends JsonReader
{
    /** Deepest nesting of objects and arrays taken: the limit the Jackson reader had. */
    public static final int MAX_DEPTH = 64;

    /** Depth of a tensor's object in the document: the body, {@code inputs}, the tensor. */
    private static final int TENSOR_DEPTH = 3;

    /** Strings read only to be checked (in skipped parameters). */
    private final MutableText skipped = new MutableText();

    /**
     * Reads the body into a context the caller has reset for the model named in the path (its
     * {@link ScoringContext#model} set), then binds the tensors.
     */
    @Override
    void decodeBody(final ScoringContext ctx) throws JsonBodyException
    {
        if (openBody())
        {
            do
            {
                readName();
                if (nameIs("id"))
                {
                    ctx.requestId(readText(ctx, "id"));
                }
                else if (nameIs("parameters"))
                {
                    skipValue(1, -1, "parameters");
                }
                else if (nameIs("inputs"))
                {
                    decodeInputs(ctx);
                }
                else if (nameIs("outputs"))
                {
                    decodeOutputs(ctx);
                }
                else
                {
                    throw new JsonBodyException("unknown field '" + name + "'");
                }
            }
            while (nextField());
        }
        closeBody();
        if (ctx.tensors().count() == 0)
        {
            throw new JsonBodyException("inputs: at least one input is required");
        }
        V2Binder.bindAll(ctx);
    }

    private void decodeInputs(final ScoringContext ctx) throws JsonBodyException
    {
        if (peekValue() != '[')
        {
            throw notA("inputs", "an array");
        }
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return;
        }
        while (true)
        {
            decodeTensor(ctx);
            if (!nextElement("inputs"))
            {
                return;
            }
        }
    }

    private void decodeTensor(final ScoringContext ctx) throws JsonBodyException
    {
        final InferTensors tensors = ctx.tensors();
        final int input = tensors.count();
        if (peekValue() != '{')
        {
            throw notA(where(input), "an object");
        }
        position++;
        tensors.add();
        boolean named = false;
        boolean typed = false;
        boolean shaped = false;
        if (firstField())
        {
            do
            {
                readName();
                if (nameIs("name"))
                {
                    tensors.name(input, readTensorText(ctx, input, ".name"));
                    named = true;
                }
                else if (nameIs("datatype"))
                {
                    tensors.datatype(input, readTensorText(ctx, input, ".datatype"));
                    typed = true;
                }
                else if (nameIs("shape"))
                {
                    decodeShape(tensors, input);
                    shaped = true;
                }
                else if (nameIs("parameters"))
                {
                    skipValue(TENSOR_DEPTH, input, ".parameters");
                }
                else if (nameIs("data"))
                {
                    decodeData(ctx, input);
                }
                else
                {
                    throw new JsonBodyException(where(input) + ": unknown field '" + name + "'");
                }
            }
            while (nextField());
        }
        if (!named || !typed || !shaped)
        {
            throw new JsonBodyException(where(input) + ": 'name', 'datatype' and 'shape' are required");
        }
        if (tensors.mixed(input))
        {
            throw new JsonBodyException("input '" + tensors.name(input) + "': data mixes text and numbers");
        }
    }

    private void decodeShape(final InferTensors tensors, final int input) throws JsonBodyException
    {
        if (peekValue() != '[')
        {
            throw notA(where(input) + ".shape", "an array");
        }
        position++;
        tensors.clearShape(input);
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return;
        }
        do
        {
            tensors.addDimension(input, readDimension(input));
        }
        while (nextElement("shape"));
    }

    /** An integer of at most 18 digits (a dimension anywhere near that is refused by the binding anyway). */
    private long readDimension(final int input) throws JsonBodyException
    {
        final byte first = peekValue();
        final int start = position;
        int i = first == '-' ? start + 1 : start;
        long value = 0;
        int digits = 0;
        while (i < end && bytes[i] >= '0' && bytes[i] <= '9')
        {
            value = value * 10 + (bytes[i++] - '0');
            digits++;
        }
        final boolean integer = digits > 0 && (i == end || (bytes[i] != '.' && bytes[i] != 'e' && bytes[i] != 'E'));
        if (!integer || digits > 18 || (bytes[first == '-' ? start + 1 : start] == '0' && digits > 1))
        {
            if (first == '-' || (first >= '0' && first <= '9'))
            {
                readNumber(); // malformed numbers are reported as such
            }
            throw notA(where(input) + ".shape", "an array of integers" + (digits > 18 ? " of at most 18 digits" : ""));
        }
        position = i;
        return first == '-' ? -value : value;
    }

    /**
     * Reads a {@code data} value: an element, or arrays of them nested to any depth within
     * {@link #MAX_DEPTH}, appended in order to the input's numbers or texts.
     */
    private void decodeData(final ScoringContext ctx, final int input) throws JsonBodyException
    {
        final InferTensors tensors = ctx.tensors();
        int depth = 0;
        while (true)
        {
            final byte first = peekValue();
            if (first == '[')
            {
                if (TENSOR_DEPTH + ++depth > MAX_DEPTH)
                {
                    throw tooDeep(where(input) + ".data");
                }
                position++;
                skipWhitespace();
                if (peek() != ']')
                {
                    continue;
                }
                position++;
                depth--;
            }
            else if (first == '"')
            {
                tensors.addText(input, readString(ctx.text()));
            }
            else if (first == 't' || first == 'f')
            {
                position += first == 't' ? 4 : 5;
                tensors.addNumber(input, first == 't' ? 1 : 0);
            }
            else if (first == '-' || (first >= '0' && first <= '9'))
            {
                tensors.addNumber(input, readNumber());
            }
            else
            {
                throw notA(where(input) + ".data", "numbers, booleans or strings, in arrays");
            }
            while (depth > 0 && !nextElement("data"))
            {
                depth--;
            }
            if (depth == 0)
            {
                return;
            }
        }
    }

    private void decodeOutputs(final ScoringContext ctx) throws JsonBodyException
    {
        if (peekValue() != '[')
        {
            throw notA("outputs", "an array");
        }
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return;
        }
        int index = 0;
        do
        {
            decodeOutput(ctx, index++);
        }
        while (nextElement("outputs"));
    }

    private void decodeOutput(final ScoringContext ctx, final int index) throws JsonBodyException
    {
        if (peekValue() != '{')
        {
            throw notA("outputs[" + index + "]", "an object");
        }
        position++;
        CharSequence requested = null;
        if (firstField())
        {
            do
            {
                readName();
                if (nameIs("name"))
                {
                    if (peekValue() != '"')
                    {
                        throw notA("outputs[" + index + "].name", "a string");
                    }
                    requested = readString(ctx.text());
                }
                else
                {
                    skipValue(TENSOR_DEPTH, -1, "outputs");
                }
            }
            while (nextField());
        }
        if (null == requested)
        {
            throw new JsonBodyException("outputs[" + index + "]: 'name' is required");
        }
        if (V2Binder.requestOutput(ctx, requested) != Outcome.OK)
        {
            throw new JsonBodyException(ctx.errorMessage());
        }
    }

    /**
     * Checks and skips any JSON value inside a container at {@code depth}, iteratively: a bit per
     * level says whether it is an object. The field ({@code inputs[input]} + field, or field alone
     * when input is -1) is named only in the error.
     */
    private void skipValue(final int depth, final int input, final String field) throws JsonBodyException
    {
        long objects = 0;
        int nested = 0;
        while (true)
        {
            final byte first = peekValue();
            if (first == '{' || first == '[')
            {
                if (depth + ++nested > MAX_DEPTH)
                {
                    throw tooDeep(input < 0 ? field : where(input) + field);
                }
                objects = first == '{' ? objects | 1L << nested : objects & ~(1L << nested);
                position++;
                skipWhitespace();
                if (peek() == (first == '{' ? '}' : ']'))
                {
                    position++;
                    nested--;
                }
                else
                {
                    if (first == '{')
                    {
                        skipName();
                    }
                    continue;
                }
            }
            else if (first == '"')
            {
                readString(skipped.clear());
            }
            else if (first == 't' || first == 'n')
            {
                position += 4;
            }
            else if (first == 'f')
            {
                position += 5;
            }
            else
            {
                readNumber();
            }
            while (nested > 0)
            {
                skipWhitespace();
                final boolean object = (objects & 1L << nested) != 0;
                final byte next = peek();
                position++;
                if (next == ',')
                {
                    if (object)
                    {
                        skipName();
                    }
                    break;
                }
                if (next != (object ? '}' : ']'))
                {
                    throw malformed(position - 1, "expected ',' or '" + (object ? '}' : ']') + "' but found " +
                        describe(position - 1));
                }
                nested--;
            }
            if (nested == 0)
            {
                return;
            }
        }
    }

    private MutableText readTensorText(final ScoringContext ctx, final int input, final String field)
        throws JsonBodyException
    {
        if (peekValue() != '"')
        {
            throw notA(where(input) + field, "a string");
        }
        return readString(ctx.text());
    }

    private void skipName() throws JsonBodyException
    {
        skipWhitespace();
        expectString("a field name");
        readString(skipped.clear());
        colon();
    }

    /** After an array's element: true when another follows, false at the array's ']'. */
    private boolean nextElement(final String array) throws JsonBodyException
    {
        skipWhitespace();
        final byte next = peek();
        position++;
        if (next == ',')
        {
            return true;
        }
        if (next != ']')
        {
            throw malformed(position - 1, "expected ',' or ']' in " + array + " but found " + describe(position - 1));
        }
        return false;
    }

    private static String where(final int input)
    {
        return "inputs[" + input + "]";
    }

    private static JsonBodyException tooDeep(final String field)
    {
        return new JsonBodyException(field + ": nested deeper than " + MAX_DEPTH + " levels");
    }
}
