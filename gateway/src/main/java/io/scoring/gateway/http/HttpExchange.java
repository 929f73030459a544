package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;

/**
 * The request being answered on this event loop, and the one place that writes HTTP responses: the
 * status, the headers (JSON, length, keep-alive unless draining) and the body; every error as an
 * {@code {"error": "..."}} body with the status its {@link Outcome} maps to. It is the
 * {@link RequestCycle}'s wire for the scoring endpoints.
 *
 * <p>Threading: one per event loop thread, borrowed by {@link #begin} for one {@code channelRead}
 * callback; it holds nothing of a request once its response is written. A scoring request handed to a
 * scoring thread has an exchange of its own ({@link #scoring}), which that thread alone uses.
 */
final class HttpExchange implements RequestCycle.Call<ByteBuf, ByteBuf>
{
    /** Seconds a 429 asks the caller to wait: the least the header can say; the limit adapts in less. */
    private static final int RETRY_AFTER_SECONDS = 1;

    private final ServerState state;
    private ChannelHandlerContext channel;
    private FullHttpRequest request;
    /** The answer buffer handed to the codec, until it is sent or released. */
    private ByteBuf answer;
    /** A scoring request: V2's target (null model: the own API), its deadline, whether it holds the request. */
    private Model v2Model;
    private String v2Version;
    private long deadlineNanos;
    private boolean retained;
    /** A handed-off call's connection, told when the call is done; null when served in place. */
    private ConnectionOrder order;

    HttpExchange(final ServerState state)
    {
        this.state = state;
    }

    /** Starts answering this request; the previous one on this thread is done with. */
    HttpExchange begin(final ChannelHandlerContext channel, final FullHttpRequest request)
    {
        this.channel = channel;
        this.request = request;
        answer = null;
        v2Model = null;
        v2Version = null;
        deadlineNanos = ScoringContext.NO_DEADLINE;
        retained = false;
        order = null;
        return this;
    }

    /**
     * This exchange as a scoring call of the own API ({@code model} null) or V2, with its deadline. With a
     * concurrency limit the call is served on a scoring thread, after this callback: it then gets an exchange
     * of its own that holds the request until {@link #done}.
     *
     * @param handedOff the connection's {@link ConnectionOrder} when the call goes to a scoring thread; null
     *                  when it is served in place
     */
    HttpExchange scoring(final Model model, final String version, final long deadlineNanos, final ConnectionOrder handedOff)
    {
        final HttpExchange call = null != handedOff ? new HttpExchange(state).begin(channel, request) : this;
        if (null != handedOff)
        {
            request.retain();
            call.retained = true;
            call.order = handedOff;
        }
        call.v2Model = model;
        call.v2Version = version;
        call.deadlineNanos = deadlineNanos;
        return call;
    }

    @Override
    public ByteBuf request()
    {
        return request.content();
    }

    @Override
    public RequestCycle.Codec<ByteBuf, ByteBuf> codec()
    {
        return null == v2Model ? PredictJsonCodec.PER_THREAD.get() : V2JsonCodec.PER_THREAD.get().target(v2Model, v2Version);
    }

    @Override
    public long deadlineNanos()
    {
        return deadlineNanos;
    }

    /** The client closed the connection (or it broke): no one is left to answer. */
    @Override
    public boolean cancelled()
    {
        return !channel.channel().isActive();
    }

    @Override
    public void done()
    {
        if (retained)
        {
            retained = false;
            request.release();
        }
        if (null != order)
        {
            final ConnectionOrder finished = order;
            order = null;
            finished.finished();
        }
    }

    ChannelHandlerContext channel()
    {
        return channel;
    }

    FullHttpRequest httpRequest()
    {
        return request;
    }

    /** A buffer from the connection's allocator, for a response body. */
    ByteBuf buffer()
    {
        return channel.alloc().buffer();
    }

    @Override
    public ByteBuf answerBuffer()
    {
        answer = buffer();
        return answer;
    }

    @Override
    public void send(final ByteBuf body)
    {
        answer = null;
        respond(HttpResponseStatus.OK, body);
    }

    @Override
    public void refuse(final Outcome outcome, final String message)
    {
        if (null != answer)
        {
            answer.release();
            answer = null;
        }
        if (outcome == Outcome.CANCELLED)
        {
            return; // the connection is gone
        }
        error(outcome, message);
    }

    void error(final Outcome outcome, final String message)
    {
        if (outcome == Outcome.OVERLOADED)
        {
            overloaded(message);
            return;
        }
        error(HttpResponseStatus.valueOf(outcome.httpStatus()), message);
    }

    void error(final HttpResponseStatus status, final String message)
    {
        respond(status, ErrorBody.of(channel.alloc(), message));
    }

    /** Answers 429 with {@code Retry-After}: the caller may come back shortly. */
    private void overloaded(final String message)
    {
        final ByteBuf body = ErrorBody.of(channel.alloc(), message);
        respond(HttpResponseStatus.TOO_MANY_REQUESTS, body, HttpHeaderValues.APPLICATION_JSON, RETRY_AFTER_SECONDS);
    }

    void respond(final HttpResponseStatus status, final ByteBuf body)
    {
        respond(status, body, HttpHeaderValues.APPLICATION_JSON);
    }

    void respond(final HttpResponseStatus status, final ByteBuf body, final CharSequence contentType)
    {
        respond(status, body, contentType, 0);
    }

    private void respond(final HttpResponseStatus status, final ByteBuf body, final CharSequence contentType,
        final int retryAfterSeconds)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, contentType)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (retryAfterSeconds > 0)
        {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        final boolean keepAlive = HttpUtil.isKeepAlive(request) && !state.isDraining() && request.decoderResult().isSuccess();
        if (!keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0))
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        channel.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }
}
