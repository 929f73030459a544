package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.FeatureStatusText;
import io.scoring.gateway.v2.V2Binder;
import io.scoring.gateway.v2.V2Datatype;
import io.scoring.proto.inference.GrpcPredictV2.InferParameter;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.model.OutputSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The generated-class path that served V2 ModelInfer before {@link ModelInferRequestDecoder} and
 * {@link ModelInferResponseEncoder}, kept as their test oracle: the parsed message's tensors into the
 * context, bound by {@link V2Binder} (as the decoder does), and the answer built with the generated
 * builders.
 */
public final class GeneratedV2
{
    private GeneratedV2()
    {
    }

    /** Fills the context from a parsed request as the generated-class path did. */
    public static void decode(final ModelInferRequest request, final ModelRegistry models, final ScoringContext ctx)
    {
        ctx.reset(request.getModelName(), request.getModelVersion(), request.getId());
        final InferTensors tensors = ctx.tensors();
        final boolean raw = request.getRawInputContentsCount() > 0;
        tensors.rawAnswer(raw);
        for (final ModelInferRequest.InferInputTensor input : request.getInputsList())
        {
            final int index = tensors.add();
            tensors.name(index, input.getName());
            tensors.datatype(index, input.getDatatype());
            input.getShapeList().forEach((dimension) -> tensors.addDimension(index, dimension));
        }
        final Model model = models.model(request.getModelName());
        if (null == model)
        {
            ctx.fail(Outcome.MODEL_NOT_FOUND, "model '" + request.getModelName() + "' is not served");
            return;
        }
        ctx.model(model);
        for (final ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList())
        {
            if (V2Binder.requestOutput(ctx, output.getName()) != Outcome.OK)
            {
                return;
            }
        }
        final int inputCount = request.getInputsCount();
        if (raw && request.getRawInputContentsCount() != inputCount)
        {
            ctx.fail(Outcome.INVALID_ARGUMENT, "raw_input_contents has " + request.getRawInputContentsCount() +
                " entries for " + inputCount + " inputs");
            return;
        }
        for (int i = 0; i < inputCount; i++)
        {
            final ModelInferRequest.InferInputTensor input = request.getInputs(i);
            if (raw && input.hasContents())
            {
                ctx.fail(Outcome.INVALID_ARGUMENT,
                    "input '" + input.getName() + "': has contents, but the request uses raw_input_contents");
                return;
            }
            final int datatype = V2Datatype.of(input.getDatatype());
            final String refused = datatype == V2Datatype.UNSUPPORTED ? V2Datatype.unsupported(input.getDatatype())
                : raw ? raw(tensors, i, datatype, request.getRawInputContents(i))
                : typed(tensors, i, datatype, input.getContents());
            if (null != refused)
            {
                ctx.fail(Outcome.INVALID_ARGUMENT, "input '" + input.getName() + "': " + refused);
                return;
            }
            if (V2Binder.bind(ctx, model.config(), i) != Outcome.OK)
            {
                return;
            }
        }
    }

    private static String typed(final InferTensors tensors, final int input, final int datatype,
        final InferTensorContents contents)
    {
        tensors.startData(input, datatype == V2Datatype.BYTES);
        switch (datatype)
        {
            case V2Datatype.BOOL -> contents.getBoolContentsList().forEach((v) -> tensors.addNumber(input, v ? 1 : 0));
            case V2Datatype.INT8, V2Datatype.INT16, V2Datatype.INT32 ->
                contents.getIntContentsList().forEach((v) -> tensors.addNumber(input, v));
            case V2Datatype.INT64 -> contents.getInt64ContentsList().forEach((v) -> tensors.addNumber(input, v));
            case V2Datatype.UINT8, V2Datatype.UINT16, V2Datatype.UINT32 ->
                contents.getUintContentsList().forEach((v) -> tensors.addNumber(input, Integer.toUnsignedLong(v)));
            case V2Datatype.UINT64 -> contents.getUint64ContentsList().forEach((v) ->
                tensors.addNumber(input, Double.parseDouble(Long.toUnsignedString(v))));
            case V2Datatype.FP32 -> contents.getFp32ContentsList().forEach((v) -> tensors.addNumber(input, v));
            case V2Datatype.FP64 -> contents.getFp64ContentsList().forEach((v) -> tensors.addNumber(input, v));
            default ->
            {
                final List<ByteString> texts = contents.getBytesContentsList();
                for (int k = 0; k < texts.size(); k++)
                {
                    if (!texts.get(k).isValidUtf8())
                    {
                        return "bytes_contents[" + k + "] is not UTF-8 text";
                    }
                    tensors.addText(input, texts.get(k).toStringUtf8());
                }
            }
        }
        return null;
    }

    private static String raw(final InferTensors tensors, final int input, final int datatype, final ByteString raw)
    {
        final ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (datatype == V2Datatype.BYTES)
        {
            tensors.startData(input, true);
            int k = 0;
            while (bytes.hasRemaining())
            {
                if (bytes.remaining() < 4)
                {
                    return "raw BYTES contents end inside a length prefix";
                }
                final int length = bytes.getInt();
                if (length < 0 || length > bytes.remaining())
                {
                    return "raw BYTES element of length " + length + " overruns the contents";
                }
                final ByteString text = raw.substring(bytes.position(), bytes.position() + length);
                if (!text.isValidUtf8())
                {
                    return "raw BYTES element " + k + " is not UTF-8 text";
                }
                tensors.addText(input, text.toStringUtf8());
                bytes.position(bytes.position() + length);
                k++;
            }
            return null;
        }
        final int size = V2Datatype.rawSize(datatype);
        if (bytes.remaining() % size != 0)
        {
            return "raw contents of " + bytes.remaining() + " bytes are not a whole number of " +
                tensors.datatype(input) + " elements";
        }
        tensors.startData(input, false);
        while (bytes.hasRemaining())
        {
            tensors.addNumber(input, switch (datatype)
            {
                case V2Datatype.FP32 -> bytes.getFloat();
                case V2Datatype.FP64 -> bytes.getDouble();
                case V2Datatype.INT32 -> bytes.getInt();
                case V2Datatype.UINT32 -> Integer.toUnsignedLong(bytes.getInt());
                case V2Datatype.INT64 -> bytes.getLong();
                case V2Datatype.UINT64 -> Double.parseDouble(Long.toUnsignedString(bytes.getLong()));
                case V2Datatype.INT16 -> bytes.getShort();
                case V2Datatype.UINT16 -> Short.toUnsignedInt(bytes.getShort());
                case V2Datatype.UINT8 -> Byte.toUnsignedInt(bytes.get());
                default -> bytes.get();
            });
        }
        return null;
    }

    /** The answer as the generated-class path built it. */
    public static ModelInferResponse encode(final ScoringContext ctx)
    {
        final ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
            .setModelName(ctx.model().name())
            .setModelVersion(ctx.version().version())
            .setId(ctx.requestId().toString())
            .putParameters("role", InferParameter.newBuilder().setStringParam(ctx.role().wireName()).build());
        if (ctx.defaultedCount() > 0)
        {
            response.putParameters("feature_status", InferParameter.newBuilder()
                .setStringParam(FeatureStatusText.write(ctx, new StringBuilder()).toString()).build());
        }
        final boolean raw = ctx.tensors().rawAnswer();
        final List<OutputSpec> outputs = ctx.model().config().outputs();
        for (int j = 0; j < outputs.size(); j++)
        {
            if (!ctx.tensors().outputRequested(j))
            {
                continue;
            }
            final ModelInferResponse.InferOutputTensor.Builder tensor = response.addOutputsBuilder()
                .setName(outputs.get(j).name())
                .setDatatype("FP32")
                .addShape(ctx.rowCount())
                .addShape(1);
            if (raw)
            {
                final ByteBuffer bytes = ByteBuffer.allocate(ctx.rowCount() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int row = 0; row < ctx.rowCount(); row++)
                {
                    bytes.putFloat(ctx.score(row, j));
                }
                response.addRawOutputContents(ByteString.copyFrom(bytes.array()));
            }
            else
            {
                final InferTensorContents.Builder contents = tensor.getContentsBuilder();
                for (int row = 0; row < ctx.rowCount(); row++)
                {
                    contents.addFp32Contents(ctx.score(row, j));
                }
            }
        }
        return response.build();
    }

    /** Everything a decoder (of either protocol) leaves in the context, as text, to compare two of them. */
    public static String describe(final ScoringContext ctx)
    {
        final StringBuilder out = new StringBuilder()
            .append("model=").append(ctx.modelName()).append(" version=").append(ctx.versionPin())
            .append(" id=").append(ctx.requestId()).append(" outcome=").append(ctx.outcome())
            .append(" error=").append(ctx.errorMessage()).append('\n');
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            out.append("row ").append(row).append(" key=").append(ctx.entityKey(row)).append('\n');
        }
        for (int i = 0; i < ctx.requestFeatureCount(); i++)
        {
            out.append(ctx.requestFeatureRow(i)).append(' ').append(ctx.requestFeatureName(i)).append(" = ")
                .append(null == ctx.requestFeatureText(i)
                    ? "number " + Long.toHexString(Double.doubleToRawLongBits(ctx.requestFeatureNumber(i)))
                    : "text " + ctx.requestFeatureText(i)).append('\n');
        }
        final InferTensors tensors = ctx.tensors();
        out.append("raw answer=").append(tensors.rawAnswer()).append(" outputs=");
        for (int j = 0; null != ctx.model() && j < ctx.model().config().outputCount(); j++)
        {
            out.append(tensors.outputRequested(j) ? '1' : '0');
        }
        out.append('\n');
        for (int input = 0; input < tensors.count(); input++)
        {
            out.append("input ").append(tensors.name(input)).append(' ').append(tensors.datatype(input))
                .append(' ').append(tensors.shapeText(input)).append(tensors.isText(input) ? " texts" : " numbers")
                .append(':');
            for (int k = 0; k < tensors.size(input); k++)
            {
                out.append(' ').append(tensors.isText(input) ? tensors.text(input, k)
                    : Long.toHexString(Double.doubleToRawLongBits(tensors.number(input, k))));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
