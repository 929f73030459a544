package io.scoring.gateway;

import io.netty.util.ResourceLeakDetector;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.admin.AdminTransport;
import io.scoring.gateway.grpc.GrpcTransport;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.http.HttpTransport;
import io.scoring.gateway.pipeline.Admission;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.rollout.Rollouts;
import io.scoring.gateway.tls.GatewayTls;
import io.scoring.router.ModelRegistry;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.monitoring.Monitoring;
import io.scoring.router.ModelRepository;
import io.scoring.router.state.AuditLog;
import io.scoring.router.state.FileStateStore;
import io.scoring.router.state.RedisStateStore;
import io.scoring.router.state.StateStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gateway process: loads the feature store and the models, then serves them over HTTP and gRPC,
 * and the admin API beside them, from one set of event-loop threads. {@link #start} / {@link #drain} /
 * {@link #blockUntilShutdown}.
 *
 * <p>A drain marks the gateway not ready, closes both listeners (new connections are refused, new
 * calls on open ones get UNAVAILABLE / 503), waits up to the drain timeout for requests in flight
 * and admin changes in progress, then releases the models and the store.
 */
public final class ScoringGateway
{
    private static final System.Logger LOG = System.getLogger(ScoringGateway.class.getName());

    private final GatewayConfig config;
    private final String adminToken;
    private final ServerState state = new ServerState();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private FeatureStore store;
    private StateStore stateStore;
    private RedisEvaluationHistory sharedHistory;
    private GatewayMonitoring monitoring;
    private ModelRegistry models;
    private Rollouts rollouts;
    private HealthProbes probes;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    /** Runs gRPC handlers when --grpc-executor-threads is set; null: the event loops do. */
    private ExecutorService grpcExecutor;
    /** The concurrency limit and its scoring threads. */
    private Admission admission;
    private HttpTransport http;
    private GrpcTransport grpc;
    private AdminTransport admin;
    /** Null: plaintext. */
    private GatewayTls tls;

    private ScoringGateway(final GatewayConfig config, final String adminToken)
    {
        this.config = config;
        this.adminToken = adminToken;
    }

    /** Starts with the admin token from the environment ({@value AdminTransport#TOKEN_ENV}). */
    public static ScoringGateway start(final GatewayConfig config) throws IOException, InterruptedException
    {
        return start(config, System.getenv(AdminTransport.TOKEN_ENV));
    }

    /**
     * @param config     concluded here, so a bad setting fails before anything starts
     * @param adminToken the admin API's bearer token; null or empty: none, the admin API on loopback only
     */
    public static ScoringGateway start(final GatewayConfig config, final String adminToken)
        throws IOException, InterruptedException
    {
        final ScoringGateway gateway = new ScoringGateway(config.conclude(), adminToken);
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
        // first: a certificate that cannot serve stops the start before anything loads
        tls = null == config.tlsCert() ? null : GatewayTls.open(config.tlsCert(), config.tlsKey(), config.tlsClientCa());
        store = FeatureStores.open(config);
        final Path repository = null == config.models() ? DemoBundle.models() : config.models();
        stateStore = openStateStore(config);
        if (stateStore instanceof RedisStateStore)
        {
            // the fleet's evaluation history next to its state: any replica answers every replica's points
            sharedHistory = new RedisEvaluationHistory(config.stateStore(), config.stateStorePrefix(),
                config.historyRedisMaxPoints());
        }
        config.monitoringContext().sharedHistory(sharedHistory);
        final ModelRepository modelRepository = new ModelRepository(repository, store, config.modelRepositoryContext());
        monitoring = new GatewayMonitoring(Monitoring.start(config.monitoringContext()), modelRepository, store);
        rollouts = new Rollouts(config.rolloutContext());
        probes = new HealthProbes(config.healthProbeContext(), modelRepository, monitoring.monitoring().metrics(),
            rollouts::onProbeFailed);
        // the probes' listener after monitoring's: a version's derived golden rows come from the profile it read
        models = modelRepository.loadAll(stateStore, new AuditLog(config.stateDir()), monitoring,
            monitoring.andThen(rollouts.listener()).andThen(probes.listener()));
        monitoring.models(models);
        rollouts.start(models, monitoring.monitoring(), stateStore, probes::last); // resumes a saved rollout
        probes.start(models);
        stateStore.onChange(models::applyShared); // other replicas' changes, within a second
        models.models().forEach((model) -> LOG.log(System.Logger.Level.INFO, "model {0}: versions {1}, champion {2}, runtime {3}",
            model.name(), model.versions().keySet(), model.champion().version(), model.champion().runtimeName()));

        admission = config.admission();
        final RequestCycle cycle =
            new RequestCycle(new PredictPipeline(models, config.modelRepositoryContext().maxRows(), monitoring), admission);
        ResourceLeakDetector.setLevel(config.nettyLeakDetection());
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerChannel> channelType =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);

        http = new HttpTransport(config.httpPort(), config.maxRequestBytes(), config.clientLimits(), bossGroup, workerGroup, channelType,
            cycle, state, monitoring, probes).tls(null == tls ? null : tls.http()).start();
        grpcExecutor = config.grpcExecutorThreads() == 0 ? null : Executors.newFixedThreadPool(config.grpcExecutorThreads(),
            (task) -> new Thread(task, "scoring-grpc-handler"));
        // the allocator is a channel option of this server only: nothing JVM-wide, nothing to set before grpc-netty loads
        final ByteBufAllocator grpcAllocator =
            config.grpcAllocator() == GatewayConfig.GrpcAllocator.NETTY ? ByteBufAllocator.DEFAULT : null;
        // the connection cap rides on the listening channel: grpc-java builds each connection's pipeline itself
        final ConnectionCap grpcCap = new ConnectionCap(config.clientLimits().maxConnections(),
            monitoring.monitoring().metrics().counter("scoring.grpc.connections.closed",
                "gRPC connections the gateway closed to bound its memory: over the cap", "reason", "cap"));
        grpc = new GrpcTransport(config.grpcPort(), config.maxRequestBytes(), config.clientLimits(), bossGroup, workerGroup,
            grpcCap.listeningOn(channelType),
            cycle, state, grpcExecutor, grpcAllocator, null == tls ? null : tls.grpc()).start();
        admin = new AdminTransport(config.adminPort(), adminToken, bossGroup, workerGroup, channelType, models,
            monitoring, rollouts, probes).tls(null == tls ? null : tls.http()).start();
        state.markReady();
        grpc.serving();
        LOG.log(System.Logger.Level.INFO,
            "serving: HTTP on port {0}, gRPC on port {1}, admin on port {2} ({3}, {4} I/O threads), ready in {5} ms",
            String.valueOf(http.port()), String.valueOf(grpc.port()), String.valueOf(admin.port()),
            epoll ? "epoll" : "nio", config.ioThreads(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private static StateStore openStateStore(final GatewayConfig config) throws IOException
    {
        final String shared = config.stateStore();
        if (shared.isEmpty())
        {
            return new FileStateStore(config.stateDir());
        }
        try
        {
            return new RedisStateStore(shared, config.stateStorePrefix());
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("--state-store " + shared + ": " + ex.getMessage(), ex);
        }
    }

    public int httpPort()
    {
        return http.port();
    }

    public int grpcPort()
    {
        return grpc.port();
    }

    /** Where the admin API listens: 127.0.0.1 when no admin token is configured. */
    public InetSocketAddress adminAddress()
    {
        return admin.address();
    }

    public int adminPort()
    {
        return admin.port();
    }

    public ModelRegistry models()
    {
        return models;
    }

    public Rollouts rollouts()
    {
        return rollouts;
    }

    public HealthProbes probes()
    {
        return probes;
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
        admin.shutdown();
        LOG.log(System.Logger.Level.INFO, "draining: listeners closed, waiting up to {0} s for requests in flight",
            config.drainSeconds());
        // one deadline for all three listeners, so a drain fits Kubernetes' grace period
        final long deadline = startNanos + TimeUnit.SECONDS.toNanos(config.drainSeconds());
        http.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
        grpc.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
        admin.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
        releaseAll();
        LOG.log(System.Logger.Level.INFO, "drained in {0} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        stopped.countDown();
    }

    private static long remaining(final long deadlineNanos)
    {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(100), deadlineNanos - System.nanoTime());
    }

    private void releaseAll()
    {
        if (null != tls)
        {
            tls.close();
        }
        if (null != grpcExecutor)
        {
            grpcExecutor.shutdown();
        }
        if (null != admission)
        {
            admission.close();
        }
        if (null != workerGroup)
        {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (null != probes)
        {
            probes.close(); // before the models: a run in progress holds its version
        }
        if (null != rollouts)
        {
            rollouts.close(); // no rollout changes the traffic of a gateway going away
        }
        if (stateStore instanceof AutoCloseable shared)
        {
            try
            {
                shared.close(); // no more changes from other replicas
            }
            catch (final Exception ex)
            {
                LOG.log(System.Logger.Level.WARNING, "closing the shared state store: " + ex.getMessage());
            }
        }
        if (null != models)
        {
            models.close(); // shadows drain first: their samples reach monitoring
        }
        if (null != monitoring)
        {
            monitoring.monitoring().close(); // every accepted sample reaches the payload log
        }
        if (null != sharedHistory)
        {
            sharedHistory.close(); // after monitoring: its last evaluations are sent
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
