package io.scoring.gateway;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener's cap on open connections ({@code --max-connections}), kept on the listening channel itself: its
 * pipeline sees every accepted connection before the connection has a pipeline of its own, so one beyond the
 * cap is closed before it costs a handler, a TLS handshake or an HTTP/2 session. That is also the only place
 * grpc-java leaves open: it builds each connection's pipeline itself and has no option for a connection cap,
 * but it takes the factory of its listening channels ({@link #listeningOn}).
 *
 * <p>Threading: one cap per listener, shared by its connections; a connection's close (on its own event loop)
 * gives its place back.
 */
@ChannelHandler.Sharable
public final class ConnectionCap extends ChannelInboundHandlerAdapter
{
    private final int maxConnections;
    private final Counter refused;
    private final AtomicInteger open = new AtomicInteger();

    /** @param refused counts the connections closed because the cap was reached */
    public ConnectionCap(final int maxConnections, final Counter refused)
    {
        this.maxConnections = maxConnections;
        this.refused = refused;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof Channel accepted)
        {
            if (open.incrementAndGet() > maxConnections)
            {
                open.decrementAndGet();
                refused.increment();
                accepted.unsafe().closeForcibly(); // not registered yet: what Netty's own acceptor does with a failed one
                return;
            }
            accepted.closeFuture().addListener((closed) -> open.decrementAndGet());
        }
        ctx.fireChannelRead(msg);
    }

    /** Listening channels of this type with the cap first in their pipeline, for a server that takes a factory. */
    public ChannelFactory<ServerChannel> listeningOn(final Class<? extends ServerChannel> type)
    {
        final ReflectiveChannelFactory<? extends ServerChannel> channels = new ReflectiveChannelFactory<>(type);
        return () ->
        {
            final ServerChannel listener = channels.newChannel();
            listener.pipeline().addLast(this);
            return listener;
        };
    }

    /** Connections open now. */
    public int open()
    {
        return open.get();
    }
}
