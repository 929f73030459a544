package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.MutableText;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.V2Binder;
import io.scoring.gateway.v2.V2Datatype;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.model.ModelConfig;

import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an {@code inference.ModelInferRequest} (the Open Inference Protocol's ModelInfer) straight
 * from its protobuf wire bytes into a {@link ScoringContext}, making no message, no map and no String.
 *
 * <pre>
 *   ModelInferRequest    1 model_name  2 model_version  3 id: string   4 parameters: map (skipped)
 *                        5 inputs: InferInputTensor (repeated)  6 outputs: InferRequestedOutputTensor (repeated)
 *                        7 raw_input_contents: bytes (repeated, one per input)
 *   InferInputTensor     1 name  2 datatype: string  3 shape: int64 (repeated)  4 parameters (skipped)
 *                        5 contents: InferTensorContents
 *   InferTensorContents  1 bool  2 int (INT8-32)  3 int64  4 uint (UINT8-32)  5 uint64  6 fp32  7 fp64  8 bytes
 *                        (each repeated, packed or not)
 *   InferRequestedOutputTensor  1 name: string  2 parameters (skipped)
 * </pre>
 *
 * <p>Two steps. The whole message is first checked as the generated parser would (it accepts and
 * rejects the same bytes: fields in any order, last singular wins, repeated fields concatenate across
 * occurrences of a message, unknown fields and groups skipped, parameters checked but not kept;
 * refused: what {@link ProtoReader} refuses, and invalid UTF-8 in any string field, map keys and
 * string parameters included). Names and shapes are kept; the places of each input's contents and
 * raw contents are noted. Then, the model known, each input's elements are read for its datatype
 * into the context's {@link InferTensors} and bound by {@link V2Binder}, in input order, as the
 * generated-class path did: what fails then (an unknown model or output, an unsupported datatype,
 * raw contents that do not divide into elements, a binding rule) is the context's outcome, and the
 * decode still returns true. A BYTES element that is not UTF-8 is refused there too (the generated
 * path turned it into U+FFFD and then missed).
 *
 * <p>Threading: not thread-safe; one per transport thread. Allocation-free once its buffers have
 * grown to the largest request seen.
 */
public final class ModelInferRequestDecoder extends ProtoReader
{
    private static final String METHOD = "inference.GRPCInferenceService/ModelInfer";

    /** Fields 1 to 3, by number, as errors name them. */
    private static final String[] HEADER_FIELDS = {null, "model_name", "model_version", "id"};
    private static final int MODEL_NAME = tag(1, LENGTH_DELIMITED);
    private static final int MODEL_VERSION = tag(2, LENGTH_DELIMITED);
    private static final int ID = tag(3, LENGTH_DELIMITED);
    private static final int PARAMETERS = tag(4, LENGTH_DELIMITED);
    private static final int INPUTS = tag(5, LENGTH_DELIMITED);
    private static final int OUTPUTS = tag(6, LENGTH_DELIMITED);
    private static final int RAW_INPUT_CONTENTS = tag(7, LENGTH_DELIMITED);

    private static final int NAME = tag(1, LENGTH_DELIMITED);
    private static final int DATATYPE = tag(2, LENGTH_DELIMITED);
    private static final int SHAPE = tag(3, VARINT);
    private static final int PACKED_SHAPE = tag(3, LENGTH_DELIMITED);
    private static final int INPUT_PARAMETERS = tag(4, LENGTH_DELIMITED);
    private static final int CONTENTS = tag(5, LENGTH_DELIMITED);
    private static final int OUTPUT_PARAMETERS = tag(2, LENGTH_DELIMITED);

    private static final int ENTRY_KEY = tag(1, LENGTH_DELIMITED);
    private static final int ENTRY_VALUE = tag(2, LENGTH_DELIMITED);
    private static final int BOOL_PARAM = tag(1, VARINT);
    private static final int INT64_PARAM = tag(2, VARINT);
    private static final int STRING_PARAM = tag(3, LENGTH_DELIMITED);

    private static final int BYTES_CONTENTS = 8;
    private static final int FP32_CONTENTS = 6;
    private static final int FP64_CONTENTS = 7;

    private final ModelRegistry models;
    /** Checks strings this decoder does not keep (parameter keys and values) for UTF-8. */
    private final MutableText scratch = new MutableText();

    // where it failed
    private String section;
    private int index;
    private String field;

    /** Each {@code contents} occurrence: its input and its bytes. */
    private int contentsCount;
    private int[] contentsInput = new int[8];
    private int[] contentsStart = new int[8];
    private int[] contentsEnd = new int[8];
    private boolean[] hasContents = new boolean[8];

    private int rawCount;
    private int[] rawStart = new int[8];
    private int[] rawEnd = new int[8];

    private int outputCount;
    private CharSequence[] outputNames = new CharSequence[4];

    public ModelInferRequestDecoder(final ModelRegistry models)
    {
        this.models = models;
    }

    /**
     * Reads the whole message from the stream gRPC hands the handler and decodes it into the context.
     *
     * @return false when the message is malformed; see {@link #error()}
     */
    public boolean decode(final InputStream message, final ScoringContext ctx)
    {
        final int length = readMessage(message);
        if (length < 0)
        {
            where(null, -1, "message");
            return false;
        }
        return decode(copy, 0, length, ctx);
    }

    /**
     * Decodes {@code length} bytes from {@code offset} into the context, after resetting it. The bytes
     * must not change until the decode returns.
     *
     * @return false when they are not a valid ModelInferRequest; see {@link #error()}
     */
    public boolean decode(final byte[] bytes, final int offset, final int length, final ScoringContext ctx)
    {
        this.bytes = bytes;
        position = offset;
        problem = null;
        contentsCount = 0;
        rawCount = 0;
        outputCount = 0;
        ctx.reset("", "", "");
        if (!decodeRequest(ctx, offset + length))
        {
            return false;
        }
        where(null, -1, null);
        bind(ctx);
        return true;
    }

    /** What was wrong with the last message {@link #decode} refused, for the INVALID_ARGUMENT status. */
    public String error()
    {
        final StringBuilder error = new StringBuilder(96).append("malformed ").append(METHOD).append(" request: ");
        if (null != section)
        {
            error.append(section);
            if (index >= 0)
            {
                error.append('[').append(index).append(']');
            }
            error.append(null != field ? "." : ": ");
        }
        if (null != field)
        {
            error.append(field).append(": ");
        }
        return error.append(problem).toString();
    }

    // ---------------------------------------------------------------- step 1: the message

    private boolean decodeRequest(final ScoringContext ctx, final int end)
    {
        final InferTensors tensors = ctx.tensors();
        while (position < end)
        {
            where(null, -1, null);
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == MODEL_NAME || tag == MODEL_VERSION || tag == ID)
            {
                field = HEADER_FIELDS[tag >>> 3];
                if (!readRequestHeader(tag >>> 3, ctx, end))
                {
                    return false;
                }
            }
            else if (tag == PARAMETERS)
            {
                field = "parameters";
                if (!checkParameterEntry(end, 1))
                {
                    return false;
                }
            }
            else if (tag == INPUTS)
            {
                final int input = tensors.add();
                where("inputs", input, null);
                final int inputEnd = readLength(end);
                if (null != problem || !decodeInput(ctx, input, inputEnd))
                {
                    return false;
                }
            }
            else if (tag == OUTPUTS)
            {
                where("outputs", outputCount, null);
                final int outputEnd = readLength(end);
                if (null != problem || !decodeOutput(ctx, outputEnd))
                {
                    return false;
                }
            }
            else if (tag == RAW_INPUT_CONTENTS)
            {
                where("raw_input_contents", rawCount, null);
                final int rawEnd = readLength(end);
                if (null != problem)
                {
                    return false;
                }
                addRaw(position, rawEnd);
                position = rawEnd;
            }
            else if (!skipUnknown(tag, end, 0))
            {
                return false;
            }
        }
        return true;
    }

    private boolean decodeInput(final ScoringContext ctx, final int input, final int end)
    {
        final InferTensors tensors = ctx.tensors();
        if (input == hasContents.length)
        {
            hasContents = Arrays.copyOf(hasContents, input * 2);
        }
        hasContents[input] = false;
        while (position < end)
        {
            field = null;
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == NAME)
            {
                field = "name";
                final MutableText name = readText(ctx, end);
                if (null == name)
                {
                    return false;
                }
                tensors.name(input, name);
            }
            else if (tag == DATATYPE)
            {
                field = "datatype";
                final MutableText datatype = readText(ctx, end);
                if (null == datatype)
                {
                    return false;
                }
                tensors.datatype(input, datatype);
            }
            else if (tag == SHAPE)
            {
                field = "shape";
                final long dimension = readVarint64(end);
                if (null != problem)
                {
                    return false;
                }
                tensors.addDimension(input, dimension);
            }
            else if (tag == PACKED_SHAPE)
            {
                field = "shape";
                final int shapeEnd = readLength(end);
                while (null == problem && position < shapeEnd)
                {
                    tensors.addDimension(input, readVarint64(shapeEnd));
                }
                if (null != problem)
                {
                    return false;
                }
            }
            else if (tag == INPUT_PARAMETERS)
            {
                field = "parameters";
                if (!checkParameterEntry(end, 2))
                {
                    return false;
                }
            }
            else if (tag == CONTENTS)
            {
                field = "contents";
                final int contentsEnd = readLength(end);
                if (null != problem)
                {
                    return false;
                }
                hasContents[input] = true;
                addContents(input, position, contentsEnd);
                if (!checkContents(contentsEnd))
                {
                    return false;
                }
            }
            else if (!skipUnknown(tag, end, 1))
            {
                return false;
            }
        }
        return true;
    }

    private boolean decodeOutput(final ScoringContext ctx, final int end)
    {
        CharSequence name = "";
        while (position < end)
        {
            field = null;
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == NAME)
            {
                field = "name";
                name = readText(ctx, end);
                if (null == name)
                {
                    return false;
                }
            }
            else if (tag == OUTPUT_PARAMETERS)
            {
                field = "parameters";
                if (!checkParameterEntry(end, 2))
                {
                    return false;
                }
            }
            else if (!skipUnknown(tag, end, 1))
            {
                return false;
            }
        }
        if (outputCount == outputNames.length)
        {
            outputNames = Arrays.copyOf(outputNames, outputCount * 2);
        }
        outputNames[outputCount++] = name;
        return true;
    }

    /** Checks one {@code map<string, InferParameter>} entry, at the position of its length, and skips it. */
    private boolean checkParameterEntry(final int end, final int depth)
    {
        final int entryEnd = readLength(end);
        while (null == problem && position < entryEnd)
        {
            final int tag = readTag(entryEnd);
            if (null != problem)
            {
                return false;
            }
            if (tag == ENTRY_KEY)
            {
                checkUtf8(entryEnd);
            }
            else if (tag == ENTRY_VALUE)
            {
                final int valueEnd = readLength(entryEnd);
                while (null == problem && position < valueEnd)
                {
                    final int valueTag = readTag(valueEnd);
                    if (null != problem)
                    {
                        return false;
                    }
                    if (valueTag == STRING_PARAM)
                    {
                        checkUtf8(valueEnd);
                    }
                    else if (valueTag == BOOL_PARAM || valueTag == INT64_PARAM)
                    {
                        readVarint64(valueEnd);
                    }
                    else
                    {
                        skipUnknown(valueTag, valueEnd, depth + 2);
                    }
                }
            }
            else
            {
                skipUnknown(tag, entryEnd, depth + 1);
            }
        }
        return null == problem;
    }

    private void checkUtf8(final int end)
    {
        final int textEnd = readLength(end);
        if (null == problem)
        {
            if (!scratch.clear().appendUtf8(bytes, position, textEnd - position))
            {
                fail(INVALID_UTF8);
                return;
            }
            position = textEnd;
        }
    }

    /** Checks an InferTensorContents as the generated parser reads it; its elements are read in step 2. */
    private boolean checkContents(final int end)
    {
        while (position < end)
        {
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            final int number = tag >>> 3;
            final int wireType = tag & 7;
            if (number >= 1 && number < BYTES_CONTENTS && wireType == LENGTH_DELIMITED)
            {
                final int packedEnd = readLength(end);
                final int size = elementSize(number);
                while (null == problem && position < packedEnd)
                {
                    if (size == 0)
                    {
                        readVarint(number, packedEnd);
                    }
                    else if (!skip(size, packedEnd))
                    {
                        return false;
                    }
                }
            }
            else if (number >= 1 && number < FP32_CONTENTS && wireType == VARINT)
            {
                readVarint(number, end);
            }
            else if (!skipUnknown(tag, end, 2))
            {
                return false;
            }
            if (null != problem)
            {
                return false;
            }
        }
        return true;
    }

    /** Reads a varint element of contents field {@code number} as protobuf reads that field's type. */
    private long readVarint(final int number, final int end)
    {
        return number == 2 || number == 4 ? readVarint(end) : readVarint64(end); // int32, uint32 : int64, uint64, bool
    }

    // ---------------------------------------------------------------- step 2: the elements, bound

    private void bind(final ScoringContext ctx)
    {
        final InferTensors tensors = ctx.tensors();
        final boolean raw = rawCount > 0;
        tensors.rawAnswer(raw);
        final Model model = models.model(ctx.modelName());
        if (null == model)
        {
            ctx.fail(Outcome.MODEL_NOT_FOUND, "model '" + ctx.modelName() + "' is not served");
            return;
        }
        ctx.model(model);
        for (int i = 0; i < outputCount; i++)
        {
            if (V2Binder.requestOutput(ctx, outputNames[i]) != Outcome.OK)
            {
                return;
            }
        }
        final int inputCount = tensors.count();
        if (raw && rawCount != inputCount)
        {
            ctx.fail(Outcome.INVALID_ARGUMENT, "raw_input_contents has " + rawCount + " entries for " +
                inputCount + " inputs");
            return;
        }
        final ModelConfig config = model.config();
        for (int input = 0; input < inputCount; input++)
        {
            if (raw && hasContents[input])
            {
                ctx.fail(Outcome.INVALID_ARGUMENT, "input '" + tensors.name(input) +
                    "': has contents, but the request uses raw_input_contents");
                return;
            }
            final int datatype = V2Datatype.of(tensors.datatype(input));
            final String refused = datatype == V2Datatype.UNSUPPORTED ? V2Datatype.unsupported(tensors.datatype(input))
                : raw ? readRaw(ctx, input, datatype) : readTyped(ctx, input, datatype);
            if (null != refused)
            {
                ctx.fail(Outcome.INVALID_ARGUMENT, "input '" + tensors.name(input) + "': " + refused);
                return;
            }
            if (V2Binder.bind(ctx, config, input) != Outcome.OK)
            {
                return;
            }
        }
    }

    /** Reads the input's elements from the contents field of its datatype; returns the problem, or null. */
    private String readTyped(final ScoringContext ctx, final int input, final int datatype)
    {
        final InferTensors tensors = ctx.tensors();
        final int wanted = contentsField(datatype);
        tensors.startData(input, datatype == V2Datatype.BYTES);
        for (int c = 0; c < contentsCount; c++)
        {
            if (contentsInput[c] != input)
            {
                continue;
            }
            position = contentsStart[c];
            final int end = contentsEnd[c];
            while (position < end)
            {
                final int tag = readTag(end);
                if (tag >>> 3 != wanted)
                {
                    skipUnknown(tag, end, 2);
                }
                else if (wanted == BYTES_CONTENTS)
                {
                    if ((tag & 7) != LENGTH_DELIMITED)
                    {
                        skipUnknown(tag, end, 2);
                        continue;
                    }
                    final int textEnd = readLength(end);
                    final MutableText text = ctx.text();
                    if (!text.appendUtf8(bytes, position, textEnd - position))
                    {
                        return "bytes_contents[" + tensors.size(input) + "] is not UTF-8 text";
                    }
                    tensors.addText(input, text);
                    position = textEnd;
                }
                else if ((tag & 7) == LENGTH_DELIMITED)
                {
                    final int packedEnd = readLength(end);
                    while (position < packedEnd)
                    {
                        tensors.addNumber(input, readElement(wanted, packedEnd));
                    }
                }
                else if ((tag & 7) == wireType(wanted))
                {
                    tensors.addNumber(input, readElement(wanted, end));
                }
                else
                {
                    skipUnknown(tag, end, 2);
                }
            }
        }
        return null;
    }

    /** Reads the input's elements from its raw contents (little-endian, row-major); returns the problem, or null. */
    private String readRaw(final ScoringContext ctx, final int input, final int datatype)
    {
        final InferTensors tensors = ctx.tensors();
        final int start = rawStart[input];
        final int end = rawEnd[input];
        if (datatype == V2Datatype.BYTES)
        {
            tensors.startData(input, true);
            int at = start;
            while (at < end)
            {
                if (end - at < 4)
                {
                    return "raw BYTES contents end inside a length prefix";
                }
                position = at;
                final int length = readLittleEndianInt();
                at += 4;
                if (length < 0 || length > end - at)
                {
                    return "raw BYTES element of length " + length + " overruns the contents";
                }
                final MutableText text = ctx.text();
                if (!text.appendUtf8(bytes, at, length))
                {
                    return "raw BYTES element " + tensors.size(input) + " is not UTF-8 text";
                }
                tensors.addText(input, text);
                at += length;
            }
            return null;
        }
        final int size = V2Datatype.rawSize(datatype);
        if ((end - start) % size != 0)
        {
            return "raw contents of " + (end - start) + " bytes are not a whole number of " +
                tensors.datatype(input) + " elements";
        }
        tensors.startData(input, false);
        for (int at = start; at < end; at += size)
        {
            tensors.addNumber(input, rawElement(datatype, at));
        }
        return null;
    }

    private double rawElement(final int datatype, final int at)
    {
        position = at;
        return switch (datatype)
        {
            case V2Datatype.FP32 -> Float.intBitsToFloat(readLittleEndianInt());
            case V2Datatype.FP64 -> Double.longBitsToDouble(readLittleEndianLong());
            case V2Datatype.INT32 -> readLittleEndianInt();
            case V2Datatype.UINT32 -> Integer.toUnsignedLong(readLittleEndianInt());
            case V2Datatype.INT64 -> readLittleEndianLong();
            case V2Datatype.UINT64 -> unsigned(readLittleEndianLong());
            case V2Datatype.INT16 -> (short)(bytes[at] & 0xFF | bytes[at + 1] << 8);
            case V2Datatype.UINT16 -> bytes[at] & 0xFF | (bytes[at + 1] & 0xFF) << 8;
            case V2Datatype.UINT8 -> bytes[at] & 0xFF;
            default -> bytes[at]; // INT8, BOOL
        };
    }

    /** One element of contents field {@code number}, checked in step 1. */
    private double readElement(final int number, final int end)
    {
        return switch (number)
        {
            case 1 -> readVarint64(end) != 0 ? 1 : 0;
            case 2 -> (int)readVarint(end);
            case 3 -> readVarint64(end);
            case 4 -> Integer.toUnsignedLong((int)readVarint(end));
            case 5 -> unsigned(readVarint64(end));
            case FP32_CONTENTS -> Float.intBitsToFloat(readLittleEndianInt());
            default -> Double.longBitsToDouble(readLittleEndianLong());
        };
    }

    /** The contents field that carries a datatype's elements. */
    private static int contentsField(final int datatype)
    {
        return switch (datatype)
        {
            case V2Datatype.BOOL -> 1;
            case V2Datatype.INT8, V2Datatype.INT16, V2Datatype.INT32 -> 2;
            case V2Datatype.INT64 -> 3;
            case V2Datatype.UINT8, V2Datatype.UINT16, V2Datatype.UINT32 -> 4;
            case V2Datatype.UINT64 -> 5;
            case V2Datatype.FP32 -> FP32_CONTENTS;
            case V2Datatype.FP64 -> FP64_CONTENTS;
            default -> BYTES_CONTENTS;
        };
    }

    /** Bytes per element of a fixed-size contents field; 0 for the varint ones. */
    private static int elementSize(final int number)
    {
        return number == FP32_CONTENTS ? 4 : number == FP64_CONTENTS ? 8 : 0;
    }

    private static int wireType(final int number)
    {
        return number == FP32_CONTENTS ? FIXED32 : number == FP64_CONTENTS ? FIXED64 : VARINT;
    }

    /** An unsigned 64-bit value, correctly rounded to a double. */
    private static double unsigned(final long value)
    {
        return value >= 0 ? value : ((double)(value >>> 1 | value & 1)) * 2.0;
    }

    private void where(final String section, final int index, final String field)
    {
        this.section = section;
        this.index = index;
        this.field = field;
    }

    private void addContents(final int input, final int start, final int end)
    {
        if (contentsCount == contentsInput.length)
        {
            final int capacity = contentsCount * 2;
            contentsInput = Arrays.copyOf(contentsInput, capacity);
            contentsStart = Arrays.copyOf(contentsStart, capacity);
            contentsEnd = Arrays.copyOf(contentsEnd, capacity);
        }
        contentsInput[contentsCount] = input;
        contentsStart[contentsCount] = start;
        contentsEnd[contentsCount] = end;
        contentsCount++;
    }

    private void addRaw(final int start, final int end)
    {
        if (rawCount == rawStart.length)
        {
            rawStart = Arrays.copyOf(rawStart, rawCount * 2);
            rawEnd = Arrays.copyOf(rawEnd, rawCount * 2);
        }
        rawStart[rawCount] = start;
        rawEnd[rawCount] = end;
        rawCount++;
    }
}
