package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.metrics.ScoringMetrics;

/**
 * What keeps slow and hostile HTTP clients from holding the gateway's memory and connections:
 * <ul>
 *   <li>a request must arrive whole, head and body, within the read timeout of its first byte (a client
 *       sending its headers a byte at a time, "slowloris", is closed when it runs out);</li>
 *   <li>a connection with no traffic either way for the idle timeout is closed (Netty's
 *       {@code IdleStateHandler} before this one raises the event);</li>
 *   <li>beyond the connection cap, a new connection is closed as soon as it is accepted
 *       ({@link io.scoring.gateway.ConnectionCap}, on the listening channel).</li>
 * </ul>
 * Header size is bounded by the HTTP codec ({@code --max-header-bytes}); what each limit closed is counted.
 *
 * <p>Threading: one guard per connection, on its event loop; the counters are shared by every connection.
 */
final class SlowClientGuard extends ChannelDuplexHandler
{
    private final long readTimeoutMillis;
    private final Closed closed;
    private ScheduledFuture<?> readTimeout;

    SlowClientGuard(final long readTimeoutMillis, final Closed closed)
    {
        this.readTimeoutMillis = readTimeoutMillis;
        this.closed = closed;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (null == readTimeout && msg instanceof ByteBuf bytes && bytes.isReadable())
        {
            // a request's first bytes: it has the read timeout to arrive whole; its answer disarms it
            readTimeout = ctx.executor().schedule(() ->
            {
                closed.slow.increment();
                ctx.close();
            }, readTimeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        disarm();
        ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof IdleStateEvent)
        {
            closed.idle.increment();
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        disarm();
        ctx.fireChannelInactive();
    }

    private void disarm()
    {
        if (null != readTimeout)
        {
            readTimeout.cancel(false);
            readTimeout = null;
        }
    }

    /** What the HTTP listener's limits closed, by reason; shared by its connections. */
    static final class Closed
    {
        final Counter overCap;
        final Counter slow;
        final Counter idle;

        Closed(final ScoringMetrics metrics)
        {
            overCap = counter(metrics, "cap");
            slow = counter(metrics, "read_timeout");
            idle = counter(metrics, "idle");
        }

        private static Counter counter(final ScoringMetrics metrics, final String reason)
        {
            return metrics.counter("scoring.http.connections.closed",
                "HTTP connections the gateway closed to bound its memory: over the cap, a request too slow to arrive, idle",
                "reason", reason);
        }
    }
}
