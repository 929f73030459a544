package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import io.scoring.proto.inference.GrpcPredictV2.InferParameter;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seeded V2 ModelInfer requests for the demo model ({@code credit-risk}), in both forms (named inputs,
 * complete input), typed or raw, over every datatype, mostly valid and sometimes wrong in each way
 * the binding checks (shapes, datatypes, rows, a second input beside the complete one, raw counts,
 * contents beside raw contents, unknown models and outputs, unsupported datatypes).
 */
public final class RandomInferRequests
{
    public static final String[] APPLICANTS = {"A0001", "A0002", "A0003", "A0004", "A0005", "nobody", ""};
    private static final String[] PURPOSES = {"radio/tv", "car", "furniture/equipment", "business", "no such purpose"};
    private static final String[] NUMERIC = {"duration", "credit_amount", "installment_commitment"};
    private static final String[] NUMBER_TYPES = {
        "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL"};
    private static final String[] PIECES = {"a", "Z", "7", " ", "_", "é", "日本", "😀", "\u0000"};

    private RandomInferRequests()
    {
    }

    /** The named-input form for one demo applicant, typed (FP64 features) or raw. */
    public static ModelInferRequest named(final String applicant, final boolean raw)
    {
        final Random random = new Random(applicant.hashCode());
        final ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("credit-risk").setId("v2-" + applicant);
        addInput(request, "applicant_id", "BYTES", 1, new Object[] {applicant}, raw);
        addInput(request, "duration", "FP64", 1, new Object[] {24.0}, raw);
        addInput(request, "purpose", "BYTES", 1, new Object[] {"radio/tv"}, raw);
        addInput(request, "credit_amount", "FP64", 1, new Object[] {2500.0 + random.nextInt(100)}, raw);
        addInput(request, "installment_commitment", "FP64", 1, new Object[] {3.0}, raw);
        return request.build();
    }

    /** The complete-input form: {@code rows} vectors of 20 features. */
    public static ModelInferRequest complete(final Random random, final int rows, final boolean raw)
    {
        final ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("credit-risk");
        final Object[] values = new Object[rows * 20];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = (double)random.nextInt(4);
        }
        addInput(request, "features", "FP32", rows, values, raw).addShape(20);
        return request.build();
    }

    public static ModelInferRequest request(final Random random)
    {
        final ModelInferRequest.Builder request = ModelInferRequest.newBuilder()
            .setModelName(random.nextInt(20) == 0 ? "nope" : "credit-risk")
            .setModelVersion(random.nextInt(4) == 0 ? new String[] {"1", "2", "9"}[random.nextInt(3)] : "")
            .setId(random.nextBoolean() ? text(random) : "");
        for (int i = random.nextInt(3); i > 0; i--)
        {
            request.putParameters(text(random), parameter(random));
        }
        final boolean raw = random.nextBoolean();
        final int rows = 1 + random.nextInt(4);
        if (random.nextInt(4) == 0)
        {
            final Object[] values = new Object[rows * 20];
            for (int i = 0; i < values.length; i++)
            {
                values[i] = (double)random.nextInt(5);
            }
            final String type = random.nextInt(5) == 0 ? NUMBER_TYPES[random.nextInt(NUMBER_TYPES.length)] : "FP32";
            final ModelInferRequest.InferInputTensor.Builder input = addInput(request, "features", type, rows, values, raw);
            input.addShape(random.nextInt(10) == 0 ? 19 : 20);
            if (random.nextInt(10) == 0)
            {
                addInput(request, "duration", "FP32", rows, numbers(random, rows), raw);
            }
        }
        else
        {
            final List<Runnable> inputs = new ArrayList<>();
            if (random.nextInt(8) != 0)
            {
                final Object[] keys = new Object[rows];
                for (int r = 0; r < rows; r++)
                {
                    keys[r] = APPLICANTS[random.nextInt(APPLICANTS.length)];
                }
                inputs.add(() -> addInput(request, "applicant_id", random.nextInt(15) == 0 ? "FP32" : "BYTES",
                    rows, random.nextInt(15) == 0 ? numbers(random, rows) : keys, raw));
            }
            for (final String feature : NUMERIC)
            {
                if (random.nextInt(8) != 0)
                {
                    final String type = NUMBER_TYPES[random.nextInt(NUMBER_TYPES.length)];
                    final int count = random.nextInt(15) == 0 ? rows + 1 : rows;
                    inputs.add(() -> addInput(request, feature, random.nextInt(30) == 0 ? "FP16" : type, count,
                        numbers(random, count), raw));
                }
            }
            if (random.nextInt(8) != 0)
            {
                final Object[] purposes = new Object[rows];
                for (int r = 0; r < rows; r++)
                {
                    purposes[r] = PURPOSES[random.nextInt(PURPOSES.length)];
                }
                inputs.add(() -> addInput(request, "purpose", "BYTES", rows, purposes, raw));
            }
            Collections.shuffle(inputs, random);
            inputs.forEach(Runnable::run);
            if (random.nextInt(20) == 0)
            {
                final ModelInferRequest.InferInputTensor.Builder first = request.getInputsBuilderList().isEmpty() ? null
                    : request.getInputsBuilder(0);
                if (null != first)
                {
                    first.addShape(random.nextInt(3) == 0 ? -1 : 1); // [N, 1] is fine, [N, -1] is not
                }
            }
        }
        for (int i = random.nextInt(5) == 0 ? 1 + random.nextInt(2) : 0; i > 0; i--)
        {
            request.addOutputsBuilder().setName(random.nextInt(4) == 0 ? "nope" : "probability");
        }
        if (raw && random.nextInt(20) == 0 && request.getInputsCount() > 0)
        {
            request.getInputsBuilder(0).setContents(InferTensorContents.newBuilder().addFp32Contents(1));
        }
        if (raw && random.nextInt(20) == 0)
        {
            request.addRawInputContents(ByteString.copyFrom(new byte[4]));
        }
        return request.build();
    }

    private static ModelInferRequest.InferInputTensor.Builder addInput(
        final ModelInferRequest.Builder request,
        final String name,
        final String datatype,
        final int rows,
        final Object[] values,
        final boolean raw)
    {
        final ModelInferRequest.InferInputTensor.Builder input = request.addInputsBuilder()
            .setName(name).setDatatype(datatype).addShape(rows);
        if (raw)
        {
            request.addRawInputContents(rawContents(datatype, values));
        }
        else
        {
            input.setContents(typedContents(datatype, values));
        }
        return input;
    }

    private static InferTensorContents typedContents(final String datatype, final Object[] values)
    {
        final InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (final Object value : values)
        {
            if (value instanceof String text)
            {
                contents.addBytesContents(ByteString.copyFromUtf8(text));
                continue;
            }
            final double number = (Double)value;
            switch (datatype)
            {
                case "FP32", "FP16" -> contents.addFp32Contents((float)number);
                case "FP64" -> contents.addFp64Contents(number);
                case "INT8", "INT16", "INT32" -> contents.addIntContents((int)number);
                case "INT64" -> contents.addInt64Contents((long)number);
                case "UINT8", "UINT16", "UINT32" -> contents.addUintContents((int)Math.abs(number));
                case "UINT64" -> contents.addUint64Contents(number < 0 ? -1L : (long)number);
                case "BOOL" -> contents.addBoolContents(number != 0);
                default -> contents.addFp32Contents((float)number);
            }
        }
        return contents.build();
    }

    private static ByteString rawContents(final String datatype, final Object[] values)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final Object value : values)
        {
            final ByteBuffer element = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (value instanceof String text)
            {
                final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                element.putInt(utf8.length);
                out.write(element.array(), 0, 4);
                out.writeBytes(utf8);
                continue;
            }
            final double number = (Double)value;
            switch (datatype)
            {
                case "FP64" -> element.putDouble(number);
                case "INT64", "UINT64" -> element.putLong((long)number);
                case "INT32", "UINT32" -> element.putInt((int)number);
                case "INT16", "UINT16", "FP16" -> element.putShort((short)number);
                case "INT8", "UINT8", "BOOL" -> element.put((byte)number);
                default -> element.putFloat((float)number);
            }
            out.write(element.array(), 0, element.position());
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    private static Object[] numbers(final Random random, final int count)
    {
        final Object[] values = new Object[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.nextInt(10) == 0 ? -random.nextInt(100) + 0.5 : (double)random.nextInt(5000);
        }
        return values;
    }

    private static InferParameter parameter(final Random random)
    {
        return switch (random.nextInt(3))
        {
            case 0 -> InferParameter.newBuilder().setBoolParam(random.nextBoolean()).build();
            case 1 -> InferParameter.newBuilder().setInt64Param(random.nextLong()).build();
            default -> InferParameter.newBuilder().setStringParam(text(random)).build();
        };
    }

    static String text(final Random random)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--)
        {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }
}
