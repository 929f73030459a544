package io.scoring.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.grpc.GrpcTransport;
import io.scoring.gateway.http.HttpTransport;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.ShadowListener;
import io.scoring.router.state.AuditLog;
import io.scoring.router.state.FileStateStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The gateway process: loads the feature store and the models, then serves them over HTTP and gRPC
 * from one set of event-loop threads. {@link #start} / {@link #drain} / {@link #blockUntilShutdown}.
 *
 * <p>A drain marks the gateway not ready, closes both listeners (new connections are refused, new
 * calls on open ones get UNAVAILABLE / 503), waits up to the drain timeout for requests in flight,
 * then releases the models and the store.
 */
public final class ScoringGateway
{
    private static final System.Logger LOG = System.getLogger(ScoringGateway.class.getName());

    private final GatewayConfig config;
    private final ServerState state = new ServerState();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private FeatureStore store;
    private ModelRegistry models;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private HttpTransport http;
    private GrpcTransport grpc;

    private ScoringGateway(final GatewayConfig config)
    {
        this.config = config;
    }

    public static ScoringGateway start(final GatewayConfig config) throws IOException, InterruptedException
    {
        final ScoringGateway gateway = new ScoringGateway(config);
        try
        {
            gateway.startServing();
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            gateway.releaseAll();
            throw ex;
        }
        return gateway;
    }

    private void startServing() throws IOException, InterruptedException
    {
        final long startNanos = System.nanoTime();
        store = loadStore(config.features());
        final Path repository = null == config.models() ? DemoBundle.models() : config.models();
        final FileStateStore saved = new FileStateStore(config.stateDir());
        models = new ModelRepository(repository, store, config.maxRows())
            .loadAll(saved, new AuditLog(config.stateDir()), ShadowListener.NONE);
        models.models().forEach((model) -> LOG.log(System.Logger.Level.INFO, "model {0}: versions {1}, champion {2}, runtime {3}",
            model.name(), model.versions().keySet(), model.champion().version(), model.champion().runtimeName()));

        final PredictPipeline pipeline = new PredictPipeline(models, config.maxRows());
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerChannel> channelType =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);

        http = new HttpTransport(config.httpPort(), config.maxRequestBytes(), bossGroup, workerGroup, channelType,
            pipeline, state).start();
        grpc = new GrpcTransport(config.grpcPort(), config.maxRequestBytes(), bossGroup, workerGroup, channelType,
            pipeline, state).start();
        state.markReady();
        LOG.log(System.Logger.Level.INFO, "serving: HTTP on port {0}, gRPC on port {1} ({2}, {3} I/O threads), ready in {4} ms",
            String.valueOf(http.port()), String.valueOf(grpc.port()), epoll ? "epoll" : "nio", config.ioThreads(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private static FeatureStore loadStore(final Path snapshot) throws IOException
    {
        final FeatureStore store;
        if (null == snapshot)
        {
            try (InputStream in = DemoBundle.features())
            {
                store = EmbeddedFeatureStore.load(in);
            }
        }
        else
        {
            if (!Files.isRegularFile(snapshot))
            {
                throw new IOException("--features " + snapshot + ": no such file");
            }
            store = EmbeddedFeatureStore.load(snapshot);
        }
        return store;
    }

    public int httpPort()
    {
        return http.port();
    }

    public int grpcPort()
    {
        return grpc.port();
    }

    public ModelRegistry models()
    {
        return models;
    }

    public ServerState state()
    {
        return state;
    }

    /** Stops taking work, lets the work in flight finish, releases everything. Idempotent. */
    public synchronized void drain() throws InterruptedException
    {
        if (state.isDraining())
        {
            return;
        }
        final long startNanos = System.nanoTime();
        state.startDraining();
        http.shutdown();
        grpc.shutdown();
        LOG.log(System.Logger.Level.INFO, "draining: listeners closed, waiting up to {0} s for requests in flight",
            config.drainSeconds());
        http.awaitTermination(config.drainSeconds(), TimeUnit.SECONDS);
        grpc.awaitTermination(Math.max(1, config.drainSeconds()), TimeUnit.SECONDS);
        releaseAll();
        LOG.log(System.Logger.Level.INFO, "drained in {0} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        stopped.countDown();
    }

    private void releaseAll()
    {
        if (null != workerGroup)
        {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (null != models)
        {
            models.close();
        }
        if (null != store)
        {
            store.close();
        }
    }

    public void blockUntilShutdown() throws InterruptedException
    {
        stopped.await();
    }
}
