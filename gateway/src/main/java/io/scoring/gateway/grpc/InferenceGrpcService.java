package io.scoring.gateway.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.v2.V2Metadata;
import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
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
import io.scoring.router.ModelVersion;
import io.scoring.router.ModelRegistry;

import java.util.List;

/**
 * The Open Inference Protocol (KServe V2) over gRPC, wire-compatible with the published proto: its
 * health and metadata methods, through the generated stubs (they are not on the hot path).
 * {@code ModelInfer} is not served here but by {@link PredictCallHandler} with {@link V2GrpcCodec},
 * through the same request cycle as the own API's Predict ({@link GrpcTransport#inferenceService}).
 */
final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase
{
    private final ModelRegistry models;
    private final ServerState state;

    InferenceGrpcService(final ModelRegistry models, final ServerState state)
    {
        this.models = models;
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
        final Model model = models.model(request.getName());
        if (null == model && models.failures().containsKey(request.getName()))
        {
            reply(responses, ModelReadyResponse.newBuilder().setReady(false).build()); // FAILED at start
            return;
        }
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
        final Model model = models.model(request.getName());
        if (null == model)
        {
            responses.onError(notFound(request.getName()));
            return;
        }
        // resolved once: a version unloaded after this check is still the one described
        final ModelVersion described = request.getVersion().isEmpty() ? model.champion() : model.version(request.getVersion());
        if (null == described)
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
        for (final V2Metadata.Tensor output : V2Metadata.outputs(described))
        {
            metadata.addOutputsBuilder().setName(output.name()).setDatatype(output.datatype())
                .addAllShape(java.util.Arrays.stream(output.shape()).boxed().toList());
        }
        reply(responses, metadata.build());
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
