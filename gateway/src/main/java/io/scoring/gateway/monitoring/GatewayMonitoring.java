package io.scoring.gateway.monitoring;

import io.scoring.features.FeatureStore;
import io.scoring.monitoring.MonitoredFeature;
import io.scoring.monitoring.Monitoring;
import io.scoring.monitoring.PairedScores;
import io.scoring.monitoring.ReferenceProfile;
import io.scoring.monitoring.Segment;
import io.scoring.monitoring.VersionMeters;
import io.scoring.monitoring.VersionSpec;
import io.scoring.monitoring.metrics.FeatureStoreMeters;
import io.scoring.monitoring.metrics.RequestMeters;
import io.scoring.monitoring.metrics.ShadowMeters;
import io.scoring.monitoring.metrics.TrafficShare;
import io.scoring.router.Model;
import io.scoring.router.ModelListener;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.ModelVersion;
import io.scoring.router.Role;
import io.scoring.router.ShadowListener;
import io.scoring.router.ShadowResult;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.model.OutputSpec;
import io.scoring.router.model.SegmentSpec;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connects the router to monitoring: resolves each version's meters when it loads (one handle per
 * role, attached to the version so the request path finds them with a field load), publishes traffic
 * weights when a policy changes, counts shadow outcomes, and pairs shadow scores with the champion's
 * for the comparison.
 *
 * <p>Threading: lifecycle callbacks on admin threads, {@link #meters} and {@link #onShadowDropped} on
 * the request path (allocation-free), {@link #onShadowScored} on shadow threads.
 */
public final class GatewayMonitoring implements ModelListener, ShadowListener
{
    /** Meters slots per version: one per {@link Role}, then the shadow role. */
    private static final int SHADOW_SLOT = Role.values().length;
    private static final String SHADOW_ROLE = "shadow";
    /** A version's meters, by role ordinal, then the shadow slot. */
    private static final ModelVersion.AttachmentKey<VersionMeters[]> METERS =
        new ModelVersion.AttachmentKey<>("meters by role", VersionMeters[].class);
    /** What monitoring was told about the version (its features, its reference profile), for the health probes. */
    private static final ModelVersion.AttachmentKey<VersionSpec> SPEC =
        new ModelVersion.AttachmentKey<>("version spec", VersionSpec.class);

    private final Monitoring monitoring;
    private final ModelRepository repository;
    private final RequestMeters unrouted;
    private final FeatureStoreMeters storeMeters;
    private final FeatureStore store;
    private final AtomicLong reportedHits = new AtomicLong();
    private final AtomicLong reportedMisses = new AtomicLong();
    private final Map<String, ShadowMeters> shadowMeters = new ConcurrentHashMap<>();
    private final ThreadLocal<PairedScores> pairs = ThreadLocal.withInitial(PairedScores::new);
    private volatile ModelRegistry models;

    public GatewayMonitoring(final Monitoring monitoring, final ModelRepository repository, final FeatureStore store)
    {
        this.monitoring = monitoring;
        this.repository = repository;
        this.store = store;
        final String storeName = store.name();
        this.unrouted = monitoring.metrics().requestMeters(Monitoring.UNKNOWN, Monitoring.UNKNOWN, Monitoring.NO_ROLE);
        this.storeMeters = monitoring.metrics().featureStoreMeters(storeName);
    }

    /** The registry, once loaded: shadow pairing looks versions up in it. */
    public void models(final ModelRegistry models)
    {
        this.models = models;
        for (final Model model : models.models())
        {
            shadowMeters(model.name(), model);
        }
        models.failures().forEach((model, reason) ->
        {
            monitoring.metrics().modelLoadEvent(model, "", "failed");
            monitoring.metrics().gauge("scoring.model.failed",
                "1 for a model that failed to load at start and is not served (state FAILED)", "model", model).accept(1);
        });
    }

    public Monitoring monitoring()
    {
        return monitoring;
    }

    /** Meters for requests that never reached a version (unknown model or version, bad input). */
    public RequestMeters unrouted()
    {
        return unrouted;
    }

    /**
     * Records one request's feature lookup, with the near cache's hits and misses since the last
     * record. The store counts them cumulatively; each caller takes the part no one took yet
     * ({@code getAndSet}), so every hit is counted once whichever thread records it. Allocation-free.
     */
    public void recordLookup(final long nanos)
    {
        final long hits = store.cacheHits();
        final long misses = store.cacheMisses();
        storeMeters.recordLookup(nanos, (int)(hits - reportedHits.getAndSet(hits)),
            (int)(misses - reportedMisses.getAndSet(misses)));
    }

    /** The handle of a version in a role. Allocation-free. */
    public static VersionMeters meters(final ModelVersion version, final Role role)
    {
        return version.attachment(METERS)[role.ordinal()];
    }

    /** The spec monitoring was given when the version loaded (its reference profile, read once), or null. */
    public static VersionSpec spec(final ModelVersion version)
    {
        return version.attachment(SPEC);
    }

    @Override
    public void onVersionLoaded(final ModelConfig config, final ModelVersion version)
    {
        final VersionSpec spec = spec(config, version.version());
        final VersionMeters[] byRole = new VersionMeters[SHADOW_SLOT + 1];
        for (final Role role : Role.values())
        {
            byRole[role.ordinal()] = monitoring.versionMeters(spec, role.wireName());
        }
        byRole[SHADOW_SLOT] = monitoring.versionMeters(spec, SHADOW_ROLE);
        version.attach(METERS, byRole);
        version.attach(SPEC, spec);
        monitoring.metrics().modelLoadEvent(config.name(), version.version(), "loaded");
    }

    private VersionSpec spec(final ModelConfig config, final String version)
    {
        final List<MonitoredFeature> features = new ArrayList<>();
        for (final FeatureSpec feature : config.features())
        {
            features.add(feature.isCategorical()
                ? MonitoredFeature.categorical(feature.name(), feature.categories())
                : MonitoredFeature.numeric(feature.name()));
        }
        final OutputSpec first = config.outputs().get(0);
        final double threshold = Double.isNaN(first.decisionThreshold()) ? 0.5 : first.decisionThreshold();
        final Path profileFile = repository.versionFile(config.name(), version, ReferenceProfile.FILE_NAME);
        ReferenceProfile profile = null;
        if (null != profileFile)
        {
            try
            {
                profile = ReferenceProfile.read(profileFile);
            }
            catch (final IOException ex)
            {
                System.getLogger(GatewayMonitoring.class.getName()).log(System.Logger.Level.WARNING,
                    "model {0} version {1}: reference profile unreadable, no drift for it: {2}",
                    config.name(), version, ex.getMessage());
            }
        }
        final List<Segment> segments = new ArrayList<>();
        for (final SegmentSpec segment : config.segments())
        {
            segments.add(new Segment(segment.feature(), segment.groups().stream()
                .map((g) -> new Segment.Group(g.name(), g.categories(), g.from(), g.below())).toList()));
        }
        return new VersionSpec(config.name(), version, features, threshold, profile, segments);
    }

    @Override
    public void onVersionLoadFailed(final ModelConfig config, final String version, final String reason)
    {
        monitoring.metrics().modelLoadEvent(config.name(), version, "failed");
    }

    @Override
    public void onVersionUnloaded(final ModelConfig config, final String version)
    {
        monitoring.unload(config.name(), version);
        monitoring.metrics().modelLoadEvent(config.name(), version, "unloaded");
    }

    @Override
    public void onPolicy(final ModelConfig config, final TrafficPolicy policy)
    {
        final List<TrafficShare> shares = new ArrayList<>();
        final double canary = null == policy.canary() ? 0 : policy.canary().percent();
        shares.add(new TrafficShare(policy.champion(), Role.CHAMPION.wireName(), 100 - canary));
        if (null != policy.canary())
        {
            shares.add(new TrafficShare(policy.canary().version(), Role.CANARY.wireName(), canary));
        }
        policy.shadows().forEach((s) -> shares.add(new TrafficShare(s.version(), SHADOW_ROLE, s.percent())));
        monitoring.trafficWeights(config.name(), shares);
    }

    private ShadowMeters shadowMeters(final String model, final Model source)
    {
        return shadowMeters.computeIfAbsent(model, (name) -> monitoring.metrics().shadowMeters(name,
            () -> source.shadowStats().stream().mapToInt(Model.ShadowStats::queuedBytes).sum()));
    }

    @Override
    public void onShadowDropped(final String model, final String shadowVersion)
    {
        final ShadowMeters meters = shadowMeters.get(model);
        if (null != meters)
        {
            meters.dropped();
        }
    }

    /** Counts a request whose shadows and sample were shed under overload. Allocation-free. */
    public void onBackgroundShed(final String model)
    {
        final ShadowMeters meters = shadowMeters.get(model);
        if (null != meters)
        {
            meters.shed();
        }
    }

    @Override
    public void onShadowFailed(final String model, final String shadowVersion)
    {
        final ShadowMeters meters = shadowMeters.get(model);
        if (null != meters)
        {
            meters.failed();
        }
    }

    /**
     * Counts the shadow's result, records its latency in the shadow role, and, when the request is
     * sampled and was answered by the champion, offers it as one sample with both scores: that is what
     * the comparison and the payload log see.
     */
    @Override
    public void onShadowScored(final ShadowResult result)
    {
        final ShadowMeters counters = shadowMeters.get(result.model());
        if (null != counters)
        {
            counters.scored();
        }
        final ModelRegistry registry = models;
        final Model model = null == registry ? null : registry.model(result.model());
        final ModelVersion shadow = null == model ? null : model.version(result.shadowVersion());
        final ModelVersion answered = null == model ? null : model.version(result.championVersion());
        if (null == shadow || null == answered
            || null == shadow.attachment(METERS) || null == answered.attachment(METERS))
        {
            return; // unloaded meanwhile
        }
        final VersionMeters shadowMeters = shadow.attachment(METERS)[SHADOW_SLOT];
        shadowMeters.recordShadowScoring(result.shadowNanos());
        if (answered != model.champion())
        {
            return; // comparisons are against the champion
        }
        final VersionMeters champion = meters(answered, Role.CHAMPION);
        if (champion.sampled(result.requestId()))
        {
            final PairedScores paired = pairs.get().clear();
            if (shadowMeters.pairInto(paired, result.shadowScores(), result.shadowNanos()))
            {
                champion.offerSample(result.requestId(), System.currentTimeMillis(), result.features(),
                    result.championScores(), result.rows(), result.championNanos(), paired);
            }
        }
    }
}
