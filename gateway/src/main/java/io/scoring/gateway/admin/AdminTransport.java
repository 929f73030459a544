package io.scoring.gateway.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.rollout.Rollouts;
import io.scoring.gateway.tls.GatewayTls;
import io.scoring.router.ModelRegistry;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin API's HTTP/1.1 listener ({@link AdminHandler} has the endpoints, {@link AdminAssets} the ops
 * page's files), on the gateway's own event loops.
 *
 * <p>Security: with a token ({@code SCORING_ADMIN_TOKEN}) it listens on every interface and every
 * call must carry it; without one it listens on 127.0.0.1 only, takes calls without a token, and
 * says so in the log at WARNING.
 *
 * <p>One request at a time per connection: the handler stops reading when a request arrives and
 * resumes once it has answered; requests already decoded wait in a {@link FlowControlHandler}. So a
 * pipelined read cannot overtake a slow load, and answers go out in request order.
 * (Reading stays on while a request's body arrives: on epoll, a read() asked for with auto-read off
 * from within the read loop can be lost, and the connection would stall.)
 */
public final class AdminTransport
{
    /** The environment variable that holds the bearer token; the CLI reads the same one. */
    public static final String TOKEN_ENV = "SCORING_ADMIN_TOKEN";
    /** 64 KiB: a traffic policy is a few hundred bytes; a body near this size is not one. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(AdminTransport.class.getName());

    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AdminHandler handler;
    private final ServerBootstrap bootstrap;
    private final InetSocketAddress bindAddress;
    private Channel listener;
    /** Null: plaintext. Read per connection, set before {@link #start}. */
    private SslContext tls;

    /** @param token the bearer token every call must carry; null or empty: none, loopback only */
    public AdminTransport(
        final int port,
        final String token,
        final EventLoopGroup bossGroup,
        final EventLoopGroup workerGroup,
        final Class<? extends ServerChannel> channelType,
        final ModelRegistry models,
        final GatewayMonitoring monitoring,
        final Rollouts rollouts,
        final HealthProbes probes)
    {
        final boolean withToken = null != token && !token.isEmpty();
        this.bindAddress = withToken ? new InetSocketAddress(port) : new InetSocketAddress("127.0.0.1", port);
        this.handler = new AdminHandler(models, monitoring, rollouts, probes, withToken ? token : null);
        bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelType)
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
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                        .addLast(new FlowControlHandler())
                        .addLast(handler);
                }
            });
    }

    /** Serves TLS with this context (its key reloads itself: see GatewayTls); null: plaintext. */
    public AdminTransport tls(final SslContext tls)
    {
        this.tls = tls;
        return this;
    }

    public AdminTransport start() throws InterruptedException
    {
        listener = bootstrap.bind(bindAddress).sync().channel();
        if (handler.requiresToken())
        {
            LOG.log(System.Logger.Level.INFO, "admin API on port {0}, all interfaces, bearer token required",
                String.valueOf(port()));
        }
        else
        {
            LOG.log(System.Logger.Level.WARNING, "admin API WITHOUT AUTHENTICATION: " + TOKEN_ENV +
                " is not set, so the admin API listens on 127.0.0.1 port {0} only and takes calls without a token",
                String.valueOf(port()));
        }
        return this;
    }

    public InetSocketAddress address()
    {
        return (InetSocketAddress)listener.localAddress();
    }

    public int port()
    {
        return address().getPort();
    }

    /** Closes the listener and takes no new admin calls; the ones queued still run and answer. */
    public void shutdown()
    {
        listener.close().syncUninterruptibly();
        handler.shutdown();
    }

    /** Waits for the admin calls in progress (a load may take a while), then closes every connection. */
    public void awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        handler.awaitTermination(timeout, unit);
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
}
