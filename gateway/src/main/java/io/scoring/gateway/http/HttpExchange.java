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

/**
 * The request being answered on this event loop, and the one place that writes HTTP responses: the
 * status, the headers (JSON, length, keep-alive unless draining) and the body; every error as an
 * {@code {"error": "..."}} body with the status its {@link Outcome} maps to. It is the
 * {@link RequestCycle}'s wire for the scoring endpoints.
 *
 * <p>Threading: one per event loop thread, borrowed by {@link #begin} for one {@code channelRead}
 * callback; it holds nothing of a request once its response is written.
 */
final class HttpExchange implements RequestCycle.Wire<ByteBuf>
{
    private final ServerState state;
    private ChannelHandlerContext channel;
    private FullHttpRequest request;
    /** The answer buffer handed to the codec, until it is sent or released. */
    private ByteBuf answer;

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
        return this;
    }

    ChannelHandlerContext channel()
    {
        return channel;
    }

    FullHttpRequest request()
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
        error(outcome, message);
    }

    void error(final Outcome outcome, final String message)
    {
        error(HttpResponseStatus.valueOf(outcome.httpStatus()), message);
    }

    void error(final HttpResponseStatus status, final String message)
    {
        respond(status, ErrorBody.of(channel.alloc(), message));
    }

    void respond(final HttpResponseStatus status, final ByteBuf body)
    {
        respond(status, body, HttpHeaderValues.APPLICATION_JSON);
    }

    void respond(final HttpResponseStatus status, final ByteBuf body, final CharSequence contentType)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, contentType)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        final boolean keepAlive = HttpUtil.isKeepAlive(request) && !state.isDraining();
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
