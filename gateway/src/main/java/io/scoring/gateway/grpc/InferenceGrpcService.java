package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.FeatureStatusText;
import io.scoring.gateway.v2.TensorData;
import io.scoring.gateway.v2.V2Binder;
import io.scoring.gateway.v2.V2Metadata;
import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
import io.scoring.proto.inference.GrpcPredictV2.InferParameter;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataResponse;
import io.scoring.proto.inference.GrpcPredictV2.ModelReadyRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelReadyResponse;
import io.scoring.proto.inference.GrpcPredictV2.ServerLiveRequest;
import io.scoring.proto.inference.GrpcPredictV2.ServerLiveResponse;
import io.scoring.proto.inference.GrpcPredictV2.ServerMetadataRequest;
import io.scoring.proto.inference.GrpcPredictV2.ServerMetadataResponse;
import io.scoring.proto.inference.GrpcPredictV2.ServerReadyRequest;
import io.scoring.proto.inference.GrpcPredictV2.ServerReadyResponse;
import io.scoring.router.Model;
import io.scoring.router.model.OutputSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The Open Inference Protocol (KServe V2) over gRPC, wire-compatible with the published proto. */
final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase
{
    private final PredictPipeline pipeline;
    private final ServerState state;

    InferenceGrpcService(final PredictPipeline pipeline, final ServerState state)
    {
        this.pipeline = pipeline;
        this.state = state;
    }

    @Override
    public void serverLive(final ServerLiveRequest request, final StreamObserver<ServerLiveResponse> responses)
    {
        reply(responses, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(final ServerReadyRequest request, final StreamObserver<ServerReadyResponse> responses)
    {
        reply(responses, ServerReadyResponse.newBuilder().setReady(state.isReady()).build());
    }

    @Override
    public void modelReady(final ModelReadyRequest request, final StreamObserver<ModelReadyResponse> responses)
    {
        final Model model = pipeline.models().model(request.getName());
        if (null == model)
        {
            responses.onError(notFound(request.getName()));
            return;
        }
        final boolean ready = state.isReady() &&
            (request.getVersion().isEmpty() || null != model.version(request.getVersion()));
        reply(responses, ModelReadyResponse.newBuilder().setReady(ready).build());
    }

    @Override
    public void serverMetadata(
        final ServerMetadataRequest request, final StreamObserver<ServerMetadataResponse> responses)
    {
        reply(responses, ServerMetadataResponse.newBuilder()
            .setName(ServerState.NAME)
            .setVersion(ServerState.VERSION)
            .build());
    }

    @Override
    public void modelMetadata(
        final ModelMetadataRequest request, final StreamObserver<ModelMetadataResponse> responses)
    {
        final Model model = pipeline.models().model(request.getName());
        if (null == model)
        {
            responses.onError(notFound(request.getName()));
            return;
        }
        if (!request.getVersion().isEmpty() && null == model.version(request.getVersion()))
        {
            responses.onError(Status.NOT_FOUND.withDescription("model '" + model.name() + "' has no version '" +
                request.getVersion() + "'").asRuntimeException());
            return;
        }
        final ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
            .setName(model.name())
            .addAllVersions(request.getVersion().isEmpty() ? model.versions().keySet() : List.of(request.getVersion()))
            .setPlatform(V2Metadata.PLATFORM);
        for (final V2Metadata.Tensor input : V2Metadata.inputs(model))
        {
            metadata.addInputsBuilder().setName(input.name()).setDatatype(input.datatype())
                .addAllShape(java.util.Arrays.stream(input.shape()).boxed().toList());
        }
        for (final V2Metadata.Tensor output : V2Metadata.outputs(model))
        {
            metadata.addOutputsBuilder().setName(output.name()).setDatatype(output.datatype())
                .addAllShape(java.util.Arrays.stream(output.shape()).boxed().toList());
        }
        reply(responses, metadata.build());
    }

    @Override
    public void modelInfer(final ModelInferRequest request, final StreamObserver<ModelInferResponse> responses)
    {
        final ScoringContext ctx = ScoringContext.ofThread()
            .reset(request.getModelName(), request.getModelVersion(), request.getId());
        decode(request, ctx);
        ctx.decoded(System.nanoTime());

        final Outcome outcome = pipeline.predict(ctx);
        ctx.encoding(System.nanoTime());
        if (outcome != Outcome.OK)
        {
            responses.onError(outcome.grpcStatus(ctx.errorMessage()).asRuntimeException());
        }
        else
        {
            reply(responses, encode(ctx, request));
        }
        pipeline.finish(ctx);
    }

    private Outcome decode(final ModelInferRequest request, final ScoringContext ctx)
    {
        final Model model = pipeline.models().model(request.getModelName());
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

    private static ModelInferResponse encode(final ScoringContext ctx, final ModelInferRequest request)
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
        return response.build();
    }

    private static RuntimeException notFound(final String model)
    {
        return Outcome.MODEL_NOT_FOUND.grpcStatus("model '" + model + "' is not served").asRuntimeException();
    }

    private static <T> void reply(final StreamObserver<T> responses, final T response)
    {
        responses.onNext(response);
        responses.onCompleted();
    }
}
