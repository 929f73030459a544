package io.scoring.gateway.grpc;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServiceDescriptor;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslContext;
import io.scoring.gateway.ClientLimits;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
import io.scoring.proto.v1.ScoringServiceGrpc;
import io.scoring.router.ModelRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC listener: the own scoring API and the V2 inference service on one port.
 *
 * <p>Handlers run on the Netty event loop that decoded the call ({@code directExecutor}): the pipeline
 * never blocks, so a hand-off to another pool would only add latency. Messages above the size limit
 * are refused by gRPC with RESOURCE_EXHAUSTED; messages that are not valid protobuf with
 * INVALID_ARGUMENT. The two scoring methods, the own API's Predict and V2's ModelInfer, are
 * registered by hand ({@link PredictCallHandler}) and served by the {@link RequestCycle}, each with its
 * codec; V2's other methods go through the generated stubs.
 *
 * <p>Beside them, grpc-java's own standard services: {@code grpc.health.v1.Health}
 * ({@link HealthStatusManager}), NOT_SERVING until {@link #serving()} and again from {@link #shutdown()} on,
 * so Kubernetes' gRPC probes and Envoy's health checks follow readiness and drain; and server reflection
 * ({@code grpc.reflection.v1} and {@code v1alpha}), so grpcurl works without the proto files. The
 * hand-registered services carry their generated file descriptors for reflection to find.
 */
public final class GrpcTransport
{
    static final String SCORING_SERVICE = "scoring.v1.ScoringService";
    static final String PREDICT = SCORING_SERVICE + "/Predict";

    /** The services health reports by name; "" (the whole server) beside them. */
    private static final List<String> HEALTH_SERVICES = List.of(
        HealthStatusManager.SERVICE_NAME_ALL_SERVICES, SCORING_SERVICE,
        GRPCInferenceServiceGrpc.SERVICE_NAME);

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    public GrpcTransport(
        final int port,
        final int maxMessageBytes,
        final ClientLimits limits,
        final EventLoopGroup bossGroup,
        final EventLoopGroup workerGroup,
        final ChannelFactory<? extends ServerChannel> listeners,
        final RequestCycle cycle,
        final ServerState state,
        final Executor handlerExecutor,
        final ByteBufAllocator allocator,
        final SslContext tls)
    {
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(port))
            .bossEventLoopGroup(bossGroup)
            .workerEventLoopGroup(workerGroup)
            .channelFactory(listeners);
        if (null != allocator) // else grpc-netty's own pooled allocator
        {
            builder.withOption(ChannelOption.ALLOCATOR, allocator).withChildOption(ChannelOption.ALLOCATOR, allocator);
        }
        if (null != tls) // else plaintext
        {
            builder.sslContext(tls);
        }
        if (null == handlerExecutor)
        {
            builder.directExecutor();
        }
        else
        {
            builder.executor(handlerExecutor);
        }
        HEALTH_SERVICES.forEach((service) -> health.setStatus(service, ServingStatus.NOT_SERVING));
        server = builder
            .maxInboundMessageSize(maxMessageBytes)
            .maxInboundMetadataSize(limits.maxHeaderBytes())
            // HTTP/2 max concurrent streams: also what a client that never reads its answers holds (SlowClientsTest)
            .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
            .maxConnectionIdle(limits.idleTimeoutMillis(), TimeUnit.MILLISECONDS)
            .addService(scoringService(cycle))
            .addService(inferenceService(cycle, state))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(reflectionV1Alpha())
            .build();
    }

    /** grpcurl before 1.8.8 and many GUI clients still ask v1alpha only. */
    @SuppressWarnings("deprecation")
    private static BindableService reflectionV1Alpha()
    {
        return ProtoReflectionService.newInstance();
    }

    /** Health reports SERVING: the gateway is ready (every model loaded, every listener open). */
    public void serving()
    {
        HEALTH_SERVICES.forEach((service) -> health.setStatus(service, ServingStatus.SERVING));
    }

    public GrpcTransport start() throws IOException
    {
        server.start();
        return this;
    }

    public int port()
    {
        return server.getPort();
    }

    /**
     * Health reports NOT_SERVING for good (open Watch streams hear it), then stops taking new calls (new ones
     * get UNAVAILABLE) and lets calls in flight finish.
     */
    public void shutdown()
    {
        health.enterTerminalState();
        server.shutdown();
    }

    /** Waits for calls in flight; cancels what is left after the timeout. */
    public void awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!server.awaitTermination(timeout, unit))
        {
            server.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
        }
    }

    /** The own API: {@code scoring.v1.ScoringService} with its one method. */
    static ServerServiceDefinition scoringService(final RequestCycle cycle)
    {
        return describedBy(ScoringServiceGrpc.getServiceDescriptor(), List.of(ServerMethodDefinition.create(
            PredictCallHandler.unaryBytes(PREDICT), new PredictCallHandler(cycle, PredictGrpcCodec.PER_THREAD))));
    }

    /**
     * {@code inference.GRPCInferenceService}: ModelInfer through the request cycle, like Predict; the
     * other methods (health, metadata) through the generated stubs.
     */
    static ServerServiceDefinition inferenceService(final RequestCycle cycle, final ServerState state)
    {
        final ModelRegistry models = cycle.pipeline().models();
        final ThreadLocal<V2GrpcCodec> codecs = ThreadLocal.withInitial(() -> new V2GrpcCodec(models));
        final ServerServiceDefinition generated = new InferenceGrpcService(models, state).bindService();
        final List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (final ServerMethodDefinition<?, ?> method : generated.getMethods())
        {
            final String name = method.getMethodDescriptor().getFullMethodName();
            methods.add(V2GrpcCodec.METHOD.equals(name) ?
                ServerMethodDefinition.create(PredictCallHandler.unaryBytes(name), new PredictCallHandler(cycle, codecs)) :
                parsingItself(method));
        }
        return describedBy(generated.getServiceDescriptor(), methods);
    }

    /**
     * The methods as a service under the generated service's name and with its proto file descriptor, which
     * reflection serves: methods registered by hand (bytes in, bytes out) would otherwise leave the service
     * out of reflection's answers, as a service without a schema.
     */
    private static ServerServiceDefinition describedBy(
        final ServiceDescriptor generated, final List<ServerMethodDefinition<?, ?>> methods)
    {
        final ServiceDescriptor.Builder descriptor =
            ServiceDescriptor.newBuilder(generated.getName()).setSchemaDescriptor(generated.getSchemaDescriptor());
        methods.forEach((method) -> descriptor.addMethod(method.getMethodDescriptor()));
        final ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(service::addMethod);
        return service.build();
    }

    /**
     * gRPC reports a request that fails to parse as UNKNOWN ("Application error processing RPC"), as
     * if the server were at fault. The caller sent it, so here it is INVALID_ARGUMENT: each method
     * takes the raw message stream and parses it itself, answering INVALID_ARGUMENT when it cannot.
     */
    private static <Req, Resp> ServerMethodDefinition<InputStream, Resp> parsingItself(
        final ServerMethodDefinition<Req, Resp> method)
    {
        final MethodDescriptor<Req, Resp> descriptor = method.getMethodDescriptor();
        final MethodDescriptor<InputStream, Resp> raw =
            descriptor.toBuilder(RAW_STREAM, descriptor.getResponseMarshaller()).build();
        final ServerCallHandler<InputStream, Resp> handler = (call, headers) ->
        {
            @SuppressWarnings("unchecked") // the typed handler never asks the call for its request type
            final ServerCall<Req, Resp> typedCall = (ServerCall<Req, Resp>)(ServerCall<?, Resp>)call;
            final ServerCall.Listener<Req> typed = method.getServerCallHandler().startCall(typedCall, headers);
            return new ServerCall.Listener<>()
            {
                private boolean rejected;

                @Override
                public void onMessage(final InputStream message)
                {
                    final Req request;
                    try
                    {
                        request = descriptor.parseRequest(message);
                    }
                    catch (final RuntimeException ex)
                    {
                        rejected = true;
                        call.close(Outcome.INVALID_ARGUMENT.grpcStatus("malformed " +
                            descriptor.getFullMethodName() + " request: not a valid protobuf message"), new Metadata());
                        return;
                    }
                    typed.onMessage(request);
                }

                @Override
                public void onHalfClose()
                {
                    if (!rejected)
                    {
                        typed.onHalfClose();
                    }
                }

                @Override
                public void onCancel()
                {
                    typed.onCancel();
                }

                @Override
                public void onComplete()
                {
                    typed.onComplete();
                }

                @Override
                public void onReady()
                {
                    typed.onReady();
                }
            };
        };
        return ServerMethodDefinition.create(raw, handler);
    }

    /** Hands the message's bytes over unparsed; the handler above parses them on the same thread. */
    private static final MethodDescriptor.Marshaller<InputStream> RAW_STREAM = new MethodDescriptor.Marshaller<>()
    {
        @Override
        public InputStream stream(final InputStream value)
        {
            return value;
        }

        @Override
        public InputStream parse(final InputStream stream)
        {
            return stream;
        }
    };
}
