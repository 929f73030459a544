package io.scoring.gateway.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
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

import java.util.List;

/**
 * The Open Inference Protocol (KServe V2) over gRPC, wire-compatible with the published proto: health
 * and metadata here, with the generated classes; ModelInfer, the hot one, is decoded and encoded by
 * hand ({@link PredictCallHandler#modelInfer}) and stands in for this class's.
 */
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
