package io.scoring.router;

import io.scoring.features.FeatureStore;
import io.scoring.features.StoredFeature;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.traffic.Buckets;
import io.scoring.router.traffic.TrafficPolicy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A model: its config, its versions, its traffic policy, and where its stored features sit in the
 * feature store (bound once, here, so a request copies them without looking anything up by name).
 *
 * <p>Concurrency: the request path reads one immutable {@link RoutingTable} per request through a
 * volatile field ({@link #route}, allocation-free). Admin operations are serialized on this object
 * and publish a new table; a version leaves only after the requests holding it are done
 * ({@link ModelVersion#retire}), so no request is dropped by a weight change, a promote or an unload.
 *
 * <p>Assignment is sticky: a key's bucket in [0, 10,000) ({@link Buckets}) picks the canary when it
 * is below the canary's share, so raising the share only moves keys from champion to canary.
 */
public final class Model implements AutoCloseable
{
    /** Loads a version of this model from wherever the repository keeps it. */
    @FunctionalInterface
    public interface VersionLoader
    {
        ModelVersion load(ModelConfig config, String version) throws Exception;
    }

    private final ModelConfig config;
    private final FeatureStore store;
    private final int[] storeColumns;
    private final int[] storePositions;
    private final FeatureSpec[] storeFeatures;
    private final ShadowListener shadowListener;
    private final ModelListener listener;
    private final ModelRepository.Context ctx;
    private final Map<String, VersionStatus> statuses = new TreeMap<>();
    private final Deque<String> championHistory = new ArrayDeque<>();
    private volatile RoutingTable table;

    public Model(
        final ModelConfig config,
        final List<ModelVersion> versions,
        final TrafficPolicy policy,
        final List<String> championHistory,
        final FeatureStore store,
        final ShadowListener shadowListener,
        final ModelListener listener,
        final ModelRepository.Context ctx)
    {
        this.config = config;
        this.ctx = ctx.conclude();
        this.store = store;
        this.shadowListener = shadowListener;
        this.listener = listener;
        final List<FeatureSpec> stored = new ArrayList<>();
        for (final FeatureSpec feature : config.features())
        {
            if (feature.source() == FeatureSpec.Source.STORE)
            {
                stored.add(feature);
            }
        }
        storeFeatures = stored.toArray(new FeatureSpec[0]);
        storeColumns = new int[storeFeatures.length];
        storePositions = new int[storeFeatures.length];
        for (int i = 0; i < storeFeatures.length; i++)
        {
            final FeatureSpec feature = storeFeatures[i];
            storeColumns[i] = store.columnIndex(new StoredFeature(feature.name(), feature.featureRef(), feature.categories()));
            storePositions[i] = storeFeatures[i].index();
            if (storeColumns[i] == FeatureStore.MISSING_COLUMN)
            {
                throw new IllegalArgumentException("model '" + config.name() + "': feature '" +
                    storeFeatures[i].name() + "' comes from the store, but the " + store.name() +
                    " store has no such feature" + (null == feature.featureRef() ? "" : " ('" + feature.featureRef() + "')"));
            }
        }

        final Map<String, ModelVersion> ready = new HashMap<>();
        for (final ModelVersion version : versions)
        {
            listener.onVersionLoaded(config, version);
            ready.put(version.version(), version);
            statuses.put(version.version(), ready(version));
        }
        try
        {
            checkPolicy(policy, ready);
        }
        catch (final RouterException ex)
        {
            throw new IllegalArgumentException("model '" + config.name() + "': " + ex.getMessage());
        }
        this.championHistory.addAll(championHistory);
        this.table = new RoutingTable(config.name(), policy, ready, startShadows(policy, ready, new ShadowExecutor[0]));
        listener.onPolicy(config, policy);
    }

    private static VersionStatus ready(final ModelVersion version)
    {
        return new VersionStatus(version.version(), VersionStatus.State.READY, version.runtimeName(), "");
    }

    public String name()
    {
        return config.name();
    }

    public ModelConfig config()
    {
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // the request path

    /**
     * Picks the version that answers: the pinned one when the request names one, else the canary for
     * keys whose bucket falls in its share, else the champion. A request without a key is assigned
     * at random by the weights. Takes a hold on the version; the caller gives it back with
     * {@link Route#release}.
     *
     * @return false when the pinned version is not loaded
     */
    public boolean route(final CharSequence key, final CharSequence pinnedVersion, final Route route)
    {
        while (true)
        {
            final RoutingTable current = table;
            final ModelVersion version;
            final Role role;
            if (pinnedVersion.length() > 0)
            {
                version = current.versionsByName.get(pinnedVersion);
                if (null == version)
                {
                    return false;
                }
                role = version == current.champion ? Role.CHAMPION : version == current.canary ? Role.CANARY : Role.PINNED;
            }
            else if (null != current.canary && bucketOf(current, key) < current.canaryBasisPoints)
            {
                version = current.canary;
                role = Role.CANARY;
            }
            else
            {
                version = current.champion;
                role = Role.CHAMPION;
            }
            if (version.acquire())
            {
                route.version = version;
                route.role = role;
                route.table = current;
                route.key = key;
                return true;
            }
            // the version is being retired: a newer table is already published
        }
    }

    private static int bucketOf(final RoutingTable table, final CharSequence key)
    {
        return key.length() > 0 ? Buckets.bucket(table.keySeed, key) : ThreadLocalRandom.current().nextInt(Buckets.COUNT);
    }

    /**
     * Copies the stored features of {@code rows} entities into their input vectors ({@code featureCount}
     * floats per row, model order) in one store call, with each value's status beside it (see
     * {@link FeatureStore#lookupAll}).
     */
    public void lookupStoredFeatures(
        final CharSequence[] entityKeys, final int rows, final float[] inputs, final byte[] statuses)
    {
        store.lookupAll(entityKeys, rows, storeColumns, storePositions, inputs, statuses, config.featureCount());
    }

    /** As above, waiting for a networked store no later than {@code deadlineNanos} ({@link System#nanoTime()}). */
    public void lookupStoredFeatures(
        final CharSequence[] entityKeys, final int rows, final float[] inputs, final byte[] statuses, final long deadlineNanos)
    {
        store.lookupAll(entityKeys, rows, storeColumns, storePositions, inputs, statuses, config.featureCount(), deadlineNanos);
    }

    /** The features this model reads from the store, in model order. */
    public FeatureSpec[] storeFeatures()
    {
        return storeFeatures;
    }

    // ---------------------------------------------------------------------------------------------
    // reading the state

    public TrafficPolicy policy()
    {
        return table.policy;
    }

    /** The ready versions by name. */
    public Map<String, ModelVersion> versions()
    {
        return table.versions;
    }

    /** The loaded version with this name, or null. */
    public ModelVersion version(final String version)
    {
        return table.versions.get(version);
    }

    public ModelVersion champion()
    {
        return table.champion;
    }

    public synchronized List<VersionStatus> versionStatuses()
    {
        return List.copyOf(statuses.values());
    }

    public synchronized List<String> championHistory()
    {
        return List.copyOf(championHistory);
    }

    /** Scored, dropped and failed counts and queued bytes per shadow version. */
    public record ShadowStats(String version, long scored, long dropped, long failed, int queuedBytes)
    {
    }

    public List<ShadowStats> shadowStats()
    {
        final List<ShadowStats> stats = new ArrayList<>();
        for (final ShadowExecutor shadow : table.shadows)
        {
            stats.add(new ShadowStats(shadow.version(), shadow.scored(), shadow.dropped(), shadow.failed(), shadow.queuedBytes()));
        }
        return stats;
    }

    // ---------------------------------------------------------------------------------------------
    // admin operations, serialized

    /**
     * Loads a version: validated and warmed up before it can take traffic. A failed load leaves
     * everything serving as it was; the version shows FAILED with the reason.
     */
    public void load(final String version, final VersionLoader loader) throws RouterException
    {
        synchronized (this)
        {
            final VersionStatus status = statuses.get(version);
            if (null != status && status.state() != VersionStatus.State.FAILED)
            {
                throw new RouterException(RouterException.Kind.CONFLICT,
                    "version '" + version + "' is already " + status.state().name().toLowerCase());
            }
            statuses.put(version, new VersionStatus(version, VersionStatus.State.LOADING, "", ""));
        }

        final ModelVersion loaded;
        try
        {
            loaded = loader.load(config, version);
        }
        catch (final Exception ex)
        {
            synchronized (this)
            {
                statuses.put(version, new VersionStatus(version, VersionStatus.State.FAILED, "", String.valueOf(ex.getMessage())));
            }
            listener.onVersionLoadFailed(config, version, String.valueOf(ex.getMessage()));
            throw new RouterException(RouterException.Kind.INVALID,
                "version '" + version + "' failed to load: " + ex.getMessage());
        }

        listener.onVersionLoaded(config, loaded);
        synchronized (this)
        {
            final Map<String, ModelVersion> versions = new HashMap<>(table.versions);
            versions.put(version, loaded);
            publish(table.policy, versions);
            statuses.put(version, ready(loaded));
        }
    }

    /** Unloads a version that carries no traffic; requests still holding it finish first. */
    public void unload(final String version) throws RouterException
    {
        final ModelVersion leaving;
        synchronized (this)
        {
            final VersionStatus status = statuses.get(version);
            if (null == status)
            {
                throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + name() + "' has no version '" + version + "'");
            }
            if (status.state() == VersionStatus.State.LOADING)
            {
                throw new RouterException(RouterException.Kind.CONFLICT, "version '" + version + "' is still loading");
            }
            if (table.policy.versions().contains(version))
            {
                throw new RouterException(RouterException.Kind.CONFLICT,
                    "version '" + version + "' carries traffic under " + table.policy + "; take it out of the policy first");
            }
            statuses.remove(version);
            championHistory.remove(version);
            leaving = table.versions.get(version);
            if (null != leaving)
            {
                final Map<String, ModelVersion> versions = new HashMap<>(table.versions);
                versions.remove(version);
                publish(table.policy, versions);
            }
        }
        if (null != leaving)
        {
            leaving.retire();
        }
        listener.onVersionUnloaded(config, version);
    }

    /** Replaces the policy. Every version it names must be ready. */
    public synchronized void setPolicy(final TrafficPolicy policy) throws RouterException
    {
        checkPolicy(policy, table.versions);
        if (!policy.champion().equals(table.policy.champion()))
        {
            championHistory.push(table.policy.champion());
        }
        publish(policy, table.versions);
    }

    /** Takes a policy and champion history decided elsewhere (another replica), as they are. */
    public synchronized void adopt(final TrafficPolicy policy, final List<String> history) throws RouterException
    {
        checkPolicy(policy, table.versions);
        championHistory.clear();
        championHistory.addAll(history);
        publish(policy, table.versions);
    }

    /** The canary becomes the champion; the old champion stays loaded as the rollback target. */
    public synchronized void promote() throws RouterException
    {
        final TrafficPolicy current = table.policy;
        if (null == current.canary())
        {
            throw new RouterException(RouterException.Kind.CONFLICT, "model '" + name() + "' has no canary to promote");
        }
        championHistory.push(current.champion());
        publish(current.withChampion(current.canary().version()), table.versions);
    }

    /** The previous champion takes all the live traffic again, in one step. */
    public synchronized void rollback() throws RouterException
    {
        String previous = championHistory.peek();
        while (null != previous && !table.versions.containsKey(previous))
        {
            championHistory.pop(); // unloaded since: not a target any more
            previous = championHistory.peek();
        }
        if (null == previous)
        {
            throw new RouterException(RouterException.Kind.CONFLICT, "model '" + name() + "' has no previous champion to roll back to");
        }
        championHistory.pop();
        publish(table.policy.withChampion(previous), table.versions);
    }

    private static void checkPolicy(final TrafficPolicy policy, final Map<String, ModelVersion> ready) throws RouterException
    {
        for (final String version : policy.versions())
        {
            if (!ready.containsKey(version))
            {
                throw new RouterException(RouterException.Kind.INVALID,
                    "version '" + version + "' is not loaded and ready; ready: " + new TreeMap<>(ready).keySet());
            }
        }
    }

    /** Publishes a new table; shadows that stay keep their thread, the others stop after draining. */
    private void publish(final TrafficPolicy policy, final Map<String, ModelVersion> versions)
    {
        final RoutingTable old = table;
        final ShadowExecutor[] shadows = startShadows(policy, versions, old.shadows);
        table = new RoutingTable(config.name(), policy, versions, shadows);
        for (final ShadowExecutor previous : old.shadows)
        {
            if (!List.of(shadows).contains(previous))
            {
                previous.close();
            }
        }
        if (!policy.equals(old.policy))
        {
            listener.onPolicy(config, policy);
        }
    }

    private ShadowExecutor[] startShadows(
        final TrafficPolicy policy, final Map<String, ModelVersion> versions, final ShadowExecutor[] running)
    {
        final ShadowExecutor[] shadows = new ShadowExecutor[policy.shadows().size()];
        for (int i = 0; i < shadows.length; i++)
        {
            final String version = policy.shadows().get(i).version();
            for (final ShadowExecutor existing : running)
            {
                if (existing.version().equals(version))
                {
                    shadows[i] = existing;
                }
            }
            if (null == shadows[i])
            {
                shadows[i] = new ShadowExecutor(config.name(), versions.get(version), config.featureCount(),
                    config.outputCount(), shadowListener, ctx);
            }
        }
        return shadows;
    }

    /** Stops the shadows and closes every version's runtime, once no request is in flight. */
    @Override
    public synchronized void close()
    {
        for (final ShadowExecutor shadow : table.shadows)
        {
            shadow.close();
        }
        table.versions.values().forEach(ModelVersion::retire);
    }
}
