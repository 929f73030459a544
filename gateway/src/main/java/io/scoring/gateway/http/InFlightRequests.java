package io.scoring.gateway.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts HTTP requests from the moment their head arrives until their response is written, so a
 * drain waits for requests whose body is still arriving. Also remembers, per connection, whether the
 * request in progress arrived before the drain started: those are answered, later ones refused.
 *
 * <p>Sits after the HTTP codec and before the aggregator; shared by every connection.
 */
@ChannelHandler.Sharable
final class InFlightRequests extends ChannelDuplexHandler
{
    /** Set on a connection while a request admitted before the drain is in progress on it. */
    static final AttributeKey<Boolean> ADMITTED = AttributeKey.valueOf("scoring.admitted");
    private static final AttributeKey<Boolean> OPEN = AttributeKey.valueOf("scoring.inFlight");

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            ctx.channel().attr(ADMITTED).set(!draining);
            if (!Boolean.TRUE.equals(ctx.channel().attr(OPEN).getAndSet(Boolean.TRUE)))
            {
                inFlight.incrementAndGet();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpResponse)
        {
            promise.addListener((ignored) -> finished(ctx));
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        finished(ctx);
        ctx.fireChannelInactive();
    }

    private void finished(final ChannelHandlerContext ctx)
    {
        if (Boolean.TRUE.equals(ctx.channel().attr(OPEN).getAndSet(Boolean.FALSE)))
        {
            inFlight.decrementAndGet();
        }
    }

    void startDraining()
    {
        draining = true;
    }

    int count()
    {
        return inFlight.get();
    }
}
