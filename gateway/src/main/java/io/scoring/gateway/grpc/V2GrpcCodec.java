package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.FeatureStatusText;
import io.scoring.gateway.v2.TensorData;
import io.scoring.gateway.v2.V2Binder;
import io.scoring.proto.inference.GrpcPredictV2.InferParameter;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.model.OutputSpec;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Open Inference Protocol's {@code ModelInfer} over gRPC as the {@link RequestCycle} drives it, for
 * now through the generated classes (they allocate): the request is parsed into a ModelInferRequest
 * and bound into the context by {@link V2Binder}; the answer is built as a ModelInferResponse and
 * handed to gRPC as its serializing stream. Replacing the generated classes by hand-written codecs
 * (as the own API's {@link PredictRequestDecoder} / {@link PredictResponseEncoder}) changes this class
 * only.
 *
 * <p>Threading: one per thread; it keeps the parsed request from decode to encode (the caller's
 * requested outputs, raw or typed contents), both within one callback of the cycle.
 */
public final class V2GrpcCodec implements RequestCycle.Codec<InputStream, InputStream>
{
    static final String METHOD = "inference.GRPCInferenceService/ModelInfer";

    private static final MethodDescriptor.Marshaller<ModelInferRequest> REQUEST =
        ProtoUtils.marshaller(ModelInferRequest.getDefaultInstance());
    private static final MethodDescriptor.Marshaller<ModelInferResponse> RESPONSE =
        ProtoUtils.marshaller(ModelInferResponse.getDefaultInstance());

    private final ModelRegistry models;
    private ModelInferRequest request;

    public V2GrpcCodec(final ModelRegistry models)
    {
        this.models = models;
    }

    @Override
    public void decode(final InputStream message, final ScoringContext ctx)
    {
        try
        {
            request = REQUEST.parse(message);
        }
        catch (final RuntimeException ex)
        {
            request = null;
            ctx.fail(Outcome.INVALID_ARGUMENT, "malformed " + METHOD + " request: not a valid protobuf message");
            return;
        }
        ctx.reset(request.getModelName(), request.getModelVersion(), request.getId());
        bind(request, ctx);
    }

    private Outcome bind(final ModelInferRequest request, final ScoringContext ctx)
    {
        final Model model = models.model(request.getModelName());
        if (null == model)
        {
            return ctx.fail(Outcome.MODEL_NOT_FOUND, "model '" + request.getModelName() + "' is not served");
        }
        ctx.model(model);

        final int inputCount = request.getInputsCount();
        final boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != inputCount)
        {
            return ctx.fail(Outcome.INVALID_ARGUMENT, "raw_input_contents has " +
                request.getRawInputContentsCount() + " entries for " + inputCount + " inputs");
        }
        for (int i = 0; i < inputCount; i++)
        {
            final ModelInferRequest.InferInputTensor input = request.getInputs(i);
            if (raw && input.hasContents())
            {
                return ctx.fail(Outcome.INVALID_ARGUMENT,
                    "input '" + input.getName() + "': has contents, but the request uses raw_input_contents");
            }
            final TensorData data;
            try
            {
                data = raw ? RawTensorData.of(input.getDatatype(), request.getRawInputContents(i))
                    : TypedTensorData.of(input.getDatatype(), input.getContents());
            }
            catch (final IllegalArgumentException ex)
            {
                return ctx.fail(Outcome.INVALID_ARGUMENT, "input '" + input.getName() + "': " + ex.getMessage());
            }
            final long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
            if (V2Binder.bind(ctx, model.config(), inputCount, input.getName(), input.getDatatype(), shape, data) !=
                Outcome.OK)
            {
                return ctx.outcome();
            }
        }
        return Outcome.OK;
    }

    /** The answer, for the outputs the caller asked for (all when it named none), as gRPC's serializing stream. */
    @Override
    public InputStream encode(final ScoringContext ctx, final InputStream unused)
    {
        final ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
            .setModelName(ctx.model().name())
            .setModelVersion(ctx.version().version())
            .setId(ctx.requestId().toString())
            .putParameters("role", InferParameter.newBuilder().setStringParam(ctx.role().wireName()).build());
        if (ctx.defaultedCount() > 0)
        {
            response.putParameters("feature_status",
                InferParameter.newBuilder().setStringParam(FeatureStatusText.of(ctx)).build());
        }

        final Set<String> requested = new HashSet<>();
        request.getOutputsList().forEach((output) -> requested.add(output.getName()));
        final boolean raw = request.getRawInputContentsCount() > 0;
        final List<OutputSpec> outputs = ctx.model().config().outputs();
        for (int j = 0; j < outputs.size(); j++)
        {
            if (!requested.isEmpty() && !requested.contains(outputs.get(j).name()))
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
        request = null;
        return RESPONSE.stream(response.build());
    }
}
