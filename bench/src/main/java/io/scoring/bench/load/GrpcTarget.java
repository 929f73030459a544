package io.scoring.bench.load;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.scoring.gateway.pipeline.RequestCycle;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A unary gRPC method called asynchronously over a fixed set of channels (one HTTP/2 connection
 * each), request {@code i} on channel {@code i % channels}.
 *
 * <p>Answers are handled on the channel's Netty event loop ({@code directExecutor}): nothing the
 * completion does blocks, so a hand-off would only add latency. A batch is started from an event loop
 * of the client's group, so with one client thread (the default) starting its calls wakes nothing. Each call carries a deadline, so a
 * request the server never answers ends as DEADLINE_EXCEEDED rather than hanging the run.
 *
 * <p>With {@code --entity-key-header}, each call also carries its request's entity key in that
 * metadata key (a proxy such as nginx's {@code split_clients} can split on it; the gateway ignores it).
 */
final class GrpcTarget<Req extends MessageLite, Resp extends MessageLite> implements Target
{
    private final EventLoopGroup group;
    private final ManagedChannel[] channels;
    private final MethodDescriptor<Req, Resp> method;
    private final Req[] requests;
    private final long timeoutNanos;
    /** Null without {@code --entity-key-header}. */
    private final Metadata.Key<String> keyHeader;
    private final String[] keys;

    GrpcTarget(final LoadOptions options, final MethodDescriptor<Req, Resp> method, final Req[] requests,
        final String[] keys) throws IOException
    {
        this.method = method;
        this.requests = requests;
        this.timeoutNanos = options.timeoutNanos;
        this.keyHeader = null == options.entityKeyHeader ? null
            : Metadata.Key.of(options.entityKeyHeader, Metadata.ASCII_STRING_MARSHALLER);
        this.keys = keys;
        final boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(options.clientThreads, new DefaultThreadFactory("loadgen-grpc", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        channels = new ManagedChannel[options.connections];
        for (int i = 0; i < channels.length; i++)
        {
            final NettyChannelBuilder channel = NettyChannelBuilder.forAddress(options.host, options.port);
            if (null == options.tlsCa)
            {
                channel.usePlaintext();
            }
            else
            {
                channel.sslContext(GrpcSslContexts.forClient().trustManager(options.tlsCa.toFile()).build());
            }
            channels[i] = channel
                .eventLoopGroup(group)
                .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .directExecutor()
                .maxInboundMessageSize(64 << 20)
                .build();
        }
        awaitConnected(options);
    }

    @Override
    public void send(final int index, final long intendedNanos, final Completion completion)
    {
        final int i = Math.floorMod(index, requests.length);
        final ClientCall<Req, Resp> call = channels[i % channels.length]
            .newCall(method, CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS));
        final Metadata headers = new Metadata();
        if (null != keyHeader)
        {
            headers.put(keyHeader, keys[i]);
        }
        call.start(new Answer<>(intendedNanos, System.nanoTime(), completion), headers);
        call.request(1);
        call.sendMessage(requests[i]);
        call.halfClose();
    }

    @Override
    public void send(final int[] indices, final long[] intendedNanos, final int count, final Completion completion)
    {
        group.next().execute(() ->
        {
            for (int k = 0; k < count; k++)
            {
                send(indices[k], intendedNanos[k], completion);
            }
        });
    }

    @Override
    public int requestCount()
    {
        return requests.length;
    }

    @Override
    public int requestBytes()
    {
        return requests[0].getSerializedSize();
    }

    @Override
    public void close()
    {
        for (final ManagedChannel channel : channels)
        {
            channel.shutdownNow();
        }
        for (final ManagedChannel channel : channels)
        {
            try
            {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Connects every channel before the clock starts, so connecting is not measured; fails clearly. */
    private void awaitConnected(final LoadOptions options) throws IOException
    {
        final long deadline = System.nanoTime() + Math.max(options.timeoutNanos, TimeUnit.SECONDS.toNanos(5));
        for (final ManagedChannel channel : channels)
        {
            ConnectivityState state;
            while ((state = channel.getState(true)) != ConnectivityState.READY)
            {
                if (System.nanoTime() > deadline)
                {
                    close();
                    throw new IOException("cannot connect to " + options.target() + " over gRPC (channel " + state + ")");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** One call's listener: carries its times to the completion. */
    private static final class Answer<Resp extends MessageLite> extends ClientCall.Listener<Resp>
    {
        private final long intendedNanos;
        private final long sentNanos;
        private final Completion completion;
        private int responseBytes;

        Answer(final long intendedNanos, final long sentNanos, final Completion completion)
        {
            this.intendedNanos = intendedNanos;
            this.sentNanos = sentNanos;
            this.completion = completion;
        }

        @Override
        public void onMessage(final Resp message)
        {
            responseBytes = message.getSerializedSize();
        }

        @Override
        public void onClose(final Status status, final Metadata trailers)
        {
            completion.completed(intendedNanos, sentNanos, status.isOk() ? null : errorName(status), responseBytes);
        }

        /** The status code's name; a call the gateway shed from its scoring queue, apart from one refused at the edge. */
        private static String errorName(final Status status)
        {
            final String description = status.getDescription();
            return status.getCode() == Status.Code.RESOURCE_EXHAUSTED && null != description &&
                description.startsWith(RequestCycle.SHED_PREFIX) ? OverloadRecording.SHED : status.getCode().name();
        }
    }
}
