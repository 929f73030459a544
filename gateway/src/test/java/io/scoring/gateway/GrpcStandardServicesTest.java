package io.scoring.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standard gRPC services, through grpc-java's own clients: health follows readiness and drain (what
 * Kubernetes' gRPC probes and Envoy ask), and reflection describes the scoring services (what grpcurl asks).
 */
class GrpcStandardServicesTest
{
    private static final List<String> SERVICES = List.of("", "scoring.v1.ScoringService", "inference.GRPCInferenceService");

    @Test
    void healthIsServingWhenReadyAndTurnsNotServingForWatchersWhenTheGatewayDrains() throws Exception
    {
        final ScoringGateway gateway = TestGateways.startDemo();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
        try
        {
            final HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            for (final String service : SERVICES)
            {
                assertEquals(ServingStatus.SERVING,
                    health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(),
                    "a ready gateway serves '" + service + "'");
            }
            final StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

            final BlockingQueue<ServingStatus> watched = new LinkedBlockingQueue<>();
            final CompletableFuture<ClientCallStreamObserver<HealthCheckRequest>> watch = new CompletableFuture<>();
            HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService("").build(),
                new ClientResponseObserver<HealthCheckRequest, HealthCheckResponse>()
                {
                    @Override
                    public void beforeStart(final ClientCallStreamObserver<HealthCheckRequest> call)
                    {
                        watch.complete(call);
                    }

                    @Override
                    public void onNext(final HealthCheckResponse response)
                    {
                        watched.add(response.getStatus());
                    }

                    @Override
                    public void onError(final Throwable error)
                    {
                    }

                    @Override
                    public void onCompleted()
                    {
                    }
                });
            assertEquals(ServingStatus.SERVING, watched.poll(10, TimeUnit.SECONDS), "a Watch starts with the status now");

            final CompletableFuture<Void> drained = CompletableFuture.runAsync(() ->
            {
                try
                {
                    gateway.drain();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            assertEquals(ServingStatus.NOT_SERVING, watched.poll(10, TimeUnit.SECONDS),
                "a drain tells the watchers at once, before the listener is gone");
            watch.get().cancel("seen", null); // as a load balancer does once its backend stops serving
            drained.get(30, TimeUnit.SECONDS);
            final StatusRuntimeException afterDrain = assertThrows(StatusRuntimeException.class,
                () -> health.check(HealthCheckRequest.newBuilder().setService("").build()));
            assertEquals(Status.Code.UNAVAILABLE, afterDrain.getStatus().getCode(), "a drained gateway takes no call");
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            gateway.drain();
        }
    }

    @Test
    void reflectionListsAndDescribesTheScoringServicesSoGrpcurlNeedsNoProtoFiles() throws Exception
    {
        final ScoringGateway gateway = TestGateways.startDemo();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
        try
        {
            final List<String> names = new ArrayList<>();
            for (final ServiceResponse service : reflect(channel, ServerReflectionRequest.newBuilder().setListServices("").build())
                .getListServicesResponse().getServiceList())
            {
                names.add(service.getName());
            }
            assertTrue(names.containsAll(List.of("scoring.v1.ScoringService", "inference.GRPCInferenceService",
                "grpc.health.v1.Health")), "listed: " + names);

            assertTrue(describes(channel, "scoring.v1.ScoringService", "Predict", ".scoring.v1.PredictRequest"));
            assertTrue(describes(channel, "inference.GRPCInferenceService", "ModelInfer", ".inference.ModelInferRequest"));
            assertTrue(describes(channel, "inference.GRPCInferenceService", "ServerReady", ".inference.ServerReadyRequest"));
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            gateway.drain();
        }
    }

    /** Whether the file reflection returns for the service declares the method with that request type. */
    private static boolean describes(final ManagedChannel channel, final String service, final String method,
        final String requestType) throws Exception
    {
        final ServerReflectionResponse response =
            reflect(channel, ServerReflectionRequest.newBuilder().setFileContainingSymbol(service).build());
        assertTrue(response.hasFileDescriptorResponse(), service + ": " + response);
        final String simpleName = service.substring(service.lastIndexOf('.') + 1);
        for (final ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList())
        {
            final FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
            for (final var declared : file.getServiceList())
            {
                if (declared.getName().equals(simpleName))
                {
                    return declared.getMethodList().stream()
                        .anyMatch((m) -> m.getName().equals(method) && m.getInputType().equals(requestType));
                }
            }
        }
        return false;
    }

    private static ServerReflectionResponse reflect(final ManagedChannel channel, final ServerReflectionRequest request)
        throws Exception
    {
        final CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        final StreamObserver<ServerReflectionRequest> requests =
            ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>()
            {
                @Override
                public void onNext(final ServerReflectionResponse response)
                {
                    answer.complete(response);
                }

                @Override
                public void onError(final Throwable error)
                {
                    answer.completeExceptionally(error);
                }

                @Override
                public void onCompleted()
                {
                }
            });
        requests.onNext(request);
        requests.onCompleted();
        final ServerReflectionResponse response = answer.get(10, TimeUnit.SECONDS);
        assertNotNull(response);
        return response;
    }
}
