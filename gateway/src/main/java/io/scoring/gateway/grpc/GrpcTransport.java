package io.scoring.gateway.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.PredictPipeline;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC listener: the own scoring API and the V2 inference service on one port.
 *
 * <p>Handlers run on the Netty event loop that decoded the call ({@code directExecutor}): the pipeline
 * never blocks, so a hand-off to another pool would only add latency. Messages above the size limit
 * are refused by gRPC with RESOURCE_EXHAUSTED; messages that are not valid protobuf with
 * INVALID_ARGUMENT.
 */
public final class GrpcTransport
{
    private final Server server;

    public GrpcTransport(
        final int port,
        final int maxMessageBytes,
        final EventLoopGroup bossGroup,
        final EventLoopGroup workerGroup,
        final Class<? extends ServerChannel> channelType,
        final PredictPipeline pipeline,
        final ServerState state)
    {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(port))
            .bossEventLoopGroup(bossGroup)
            .workerEventLoopGroup(workerGroup)
            .channelType(channelType)
            .directExecutor()
            .maxInboundMessageSize(maxMessageBytes)
            .addService(rejectingMalformedMessages(new ScoringGrpcService(pipeline).bindService()))
            .addService(rejectingMalformedMessages(new InferenceGrpcService(pipeline, state).bindService()))
            .build();
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

    /** Stops taking new calls (new ones get UNAVAILABLE) and lets calls in flight finish. */
    public void shutdown()
    {
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

    /**
     * gRPC reports a request that fails to parse as INTERNAL, as if the server were at fault; the
     * caller sent it, so it is INVALID_ARGUMENT here.
     */
    static ServerServiceDefinition rejectingMalformedMessages(final ServerServiceDefinition service)
    {
        final ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(service.getServiceDescriptor());
        for (final ServerMethodDefinition<?, ?> method : service.getMethods())
        {
            strict.addMethod(strictParsing(method));
        }
        return strict.build();
    }

    private static <Req, Resp> ServerMethodDefinition<Req, Resp> strictParsing(
        final ServerMethodDefinition<Req, Resp> method)
    {
        final MethodDescriptor<Req, Resp> descriptor = method.getMethodDescriptor();
        final MethodDescriptor.Marshaller<Req> lenient = descriptor.getRequestMarshaller();
        final MethodDescriptor.Marshaller<Req> strict = new MethodDescriptor.Marshaller<>()
        {
            @Override
            public InputStream stream(final Req value)
            {
                return lenient.stream(value);
            }

            @Override
            public Req parse(final InputStream stream)
            {
                try
                {
                    return lenient.parse(stream);
                }
                catch (final StatusRuntimeException ex)
                {
                    throw Status.INVALID_ARGUMENT
                        .withDescription("malformed " + descriptor.getFullMethodName() + " request: " +
                            ex.getStatus().getDescription())
                        .asRuntimeException();
                }
            }
        };
        return ServerMethodDefinition.create(descriptor.toBuilder().setRequestMarshaller(strict).build(),
            method.getServerCallHandler());
    }
}
