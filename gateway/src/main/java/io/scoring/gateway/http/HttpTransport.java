package io.scoring.gateway.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.scoring.gateway.ClientLimits;
import io.scoring.gateway.ConnectionCap;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.tls.GatewayTls;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/1.1 listener, on Netty. Each connection: the connection cap, the idle and read timeouts
 * ({@link SlowClientGuard}), the codec with its header limit (a larger head gets 431), in-flight counting,
 * a body aggregator that refuses bodies above the limit with 413, and the request handler.
 *
 * <p>A drain closes the listener (new connections are refused), answers requests that arrive on open
 * connections after it started with 503, waits for the requests in flight, then closes the
 * connections.
 */
public final class HttpTransport
{
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final InFlightRequests inFlight = new InFlightRequests();
    private final ServerBootstrap bootstrap;
    private final int port;
    private Channel listener;
    /** Null: plaintext. Read per connection, set before {@link #start}. */
    private SslContext tls;

    public HttpTransport(
        final int port,
        final int maxBodyBytes,
        final ClientLimits limits,
        final EventLoopGroup bossGroup,
        final EventLoopGroup workerGroup,
        final Class<? extends ServerChannel> channelType,
        final RequestCycle cycle,
        final ServerState state,
        final GatewayMonitoring monitoring,
        final HealthProbes probes)
    {
        this.port = port;
        final HttpRequestHandler handler = new HttpRequestHandler(cycle, state, monitoring, probes, limits.maxHeaderBytes());
        final SlowClientGuard.Closed closed = new SlowClientGuard.Closed(monitoring.monitoring().metrics());
        bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelType)
            .handler(new ConnectionCap(limits.maxConnections(), closed.overCap))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    connections.add(channel);
                    if (null != tls)
                    {
                        GatewayTls.addTo(channel, tls);
                    }
                    channel.pipeline()
                        .addLast(new IdleStateHandler(0, 0, limits.idleTimeoutMillis(), TimeUnit.MILLISECONDS))
                        .addLast(new SlowClientGuard(limits.requestReadTimeoutMillis(), closed))
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, limits.maxHeaderBytes(), MAX_CHUNK_BYTES))
                        .addLast(inFlight)
                        .addLast(new BodyLimit(maxBodyBytes))
                        .addLast(handler);
                }
            });
    }

    /** Netty's defaults: a request line (method, path, version) of 4 KiB; body chunks of 8 KiB. */
    private static final int MAX_INITIAL_LINE_BYTES = 4096;
    private static final int MAX_CHUNK_BYTES = 8192;

    /** Serves TLS with this context (its key reloads itself: see GatewayTls); null: plaintext. */
    public HttpTransport tls(final SslContext tls)
    {
        this.tls = tls;
        return this;
    }

    public HttpTransport start() throws InterruptedException
    {
        listener = bootstrap.bind(new InetSocketAddress(port)).sync().channel();
        return this;
    }

    public int port()
    {
        return ((InetSocketAddress)listener.localAddress()).getPort();
    }

    /** Closes the listener: new connections are refused from here on; requests on open ones get 503. */
    public void shutdown()
    {
        inFlight.startDraining();
        listener.close().syncUninterruptibly();
    }

    /** Waits until no request is in flight, or the timeout passes, then closes every connection. */
    public void awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (inFlight.count() > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }

    /**
     * Aggregates the body; one above the limit gets a 413 with an error body and the connection closes,
     * lingering: closing at once while the client is still sending would make the kernel answer the
     * unread bytes with a reset, which can reach the client before the 413 does (it then sees no answer
     * at all). So the answer goes out, the write side is shut (the client reads the 413, then the end),
     * the rest of the body is read and dropped (the aggregator ignores an oversized message's content),
     * and the connection closes when the client closes it, or after {@link #LINGER_MILLIS} at most.
     */
    private static final class BodyLimit extends HttpObjectAggregator
    {
        BodyLimit(final int maxBodyBytes)
        {
            super(maxBodyBytes);
        }

        @Override
        protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized)
        {
            final FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(Outcome.TOO_LARGE.httpStatus()),
                ErrorBody.of(ctx.alloc(), "the body is larger than the limit of " + maxContentLength() + " bytes"));
            response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener((ChannelFuture written) ->
            {
                if (!written.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex))
                {
                    ctx.close();
                    return;
                }
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
        }

        /** Long enough for a client on a slow link to finish sending a few MiB it had under way. */
        private static final long LINGER_MILLIS = 2_000;
    }
}
