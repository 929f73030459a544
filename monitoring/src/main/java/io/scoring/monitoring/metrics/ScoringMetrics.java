package io.scoring.monitoring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleConsumer;
import java.util.function.IntSupplier;

/**
 * The gateway's Prometheus metrics, {@code scoring_} prefixed, in base units, exposed in the text
 * format 0.0.4 by {@link #scrape(OutputStream)}.
 *
 * <p><b>What records and what writes.</b> Counters and gauges are Micrometer's: a Prometheus counter is
 * a {@code DoubleAdder.add} (about 8 ns), and Micrometer brings the JVM, GC, thread and processor
 * binders. The hot-path duration histograms are not Micrometer {@code Timer}s: a Timer with buckets
 * reads the wall clock twice per record (its decaying max and its histogram's rotation) and CASes the
 * max, about 85 ns each here, and a request records five of them. Ours ({@link DurationHistogram}) are
 * a search from the value's power of two and two {@code LongAdder}s, collected by {@link HistogramFamily} into the same
 * Prometheus registry Micrometer writes, so one scrape and one exposition writer serve both. Neither
 * side allocates when recording; what allocates (resolving a handle by name and tags, the scrape's
 * snapshot) happens when a version loads and when Prometheus scrapes.
 *
 * <p>Durations are classic histograms with explicit bounds, never summaries, so replicas aggregate.
 *
 * <p>Threading: the handles it returns are safe from any thread; resolution and gauge registration
 * are for load-time threads; {@link #scrape} from the HTTP thread. Bounded: meters exist per loaded
 * (model, version, role) and per drift feature; {@link #removeVersion} drops an unloaded version's.
 */
public final class ScoringMetrics implements AutoCloseable
{
    /** The exposition's content type, for the {@code /metrics} response header. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, prometheus, Clock.SYSTEM);
    private final HistogramFamily requestDuration = new HistogramFamily("scoring_request_duration_seconds",
        "Time from decoded request to encoded answer, successful requests", HistogramBounds.REQUEST, "model", "version", "role");
    private final HistogramFamily stageDuration = new HistogramFamily("scoring_stage_duration_seconds",
        "One stage of the request pipeline, successful requests", HistogramBounds.STAGE, "stage");
    private final HistogramFamily featureLookupDuration = new HistogramFamily("scoring_feature_lookup_duration_seconds",
        "One feature store call, all rows of a request", HistogramBounds.REQUEST, "store");
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final List<String> outcomes;
    private final RequestMeters.StageHistograms stages;
    private final Counter samplesDropped;
    private final Counter samplesLogged;
    private final Map<String, GaugeCell> gauges = new ConcurrentHashMap<>();

    /**
     * @param outcomes the request outcome labels, in the order of the indexes {@link RequestMeters#record}
     *                 takes; index {@link RequestMeters#OK} must be "ok".
     */
    public ScoringMetrics(final List<String> outcomes)
    {
        if (outcomes.isEmpty() || !"ok".equals(outcomes.get(RequestMeters.OK)))
        {
            throw new IllegalArgumentException("outcome labels must start with 'ok': " + outcomes);
        }
        this.outcomes = List.copyOf(outcomes);
        // two of ProcessorMetrics' names fail `promtool check metrics`: a CPU time in "ns" (an abbreviated
        // unit; process_cpu_usage says the same) is left out, "system_cpu_count" (a _count suffix on a
        // gauge) is renamed to system_cpus_available
        registry.config()
            .meterFilter(MeterFilter.deny((id) -> "process.cpu.time".equals(id.getName())))
            .meterFilter(new MeterFilter()
            {
                @Override
                public Meter.Id map(final Meter.Id id)
                {
                    return "system.cpu.count".equals(id.getName()) ? id.withName("system.cpus.available") : id;
                }
            });
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        prometheus.register(requestDuration);
        prometheus.register(stageDuration);
        prometheus.register(featureLookupDuration);
        stages = new RequestMeters.StageHistograms(stageDuration.child("decode"), stageDuration.child("feature_lookup"),
            stageDuration.child("score"), stageDuration.child("encode"));
        samplesDropped = Counter.builder("scoring.samples.dropped")
            .description("Sampled requests not logged: the sample queue was full, the record too large, or monitoring closed")
            .register(registry);
        samplesLogged = Counter.builder("scoring.samples.logged")
            .description("Sampled requests written to the payload log")
            .register(registry);
    }

    /** Resolves (creating on first use) the meters of a (model, version, role). Not for the hot path. */
    public RequestMeters requestMeters(final String model, final String version, final String role)
    {
        final Tags tags = Tags.of("model", model, "version", version, "role", role);
        final Counter[] requests = new Counter[outcomes.size()];
        for (int i = 0; i < requests.length; i++)
        {
            requests[i] = Counter.builder("scoring.requests")
                .description("Predict requests by the version and role that answered and how they ended")
                .tags(tags).tag("outcome", outcomes.get(i))
                .register(registry);
        }
        return new RequestMeters(requests, requestDuration.child(model, version, role), stages);
    }

    /** Reads the request counters of a model's (version, role)s, sorted by version then role. Not for the hot path. */
    public ModelRequestReport requests(final String model)
    {
        final Map<List<String>, Map<String, Long>> byVersionRole = new TreeMap<>(
            Comparator.comparing((List<String> key) -> key.get(0)).thenComparing((key) -> key.get(1)));
        for (final Counter counter : registry.find("scoring.requests").tag("model", model).counters())
        {
            final Meter.Id id = counter.getId();
            final Map<String, Long> outcomes = byVersionRole.computeIfAbsent(
                List.of(id.getTag("version"), id.getTag("role")), (key) -> new LinkedHashMap<>());
            outcomes.put(id.getTag("outcome"), (long)counter.count());
        }
        final List<ModelRequestReport.Counts> versions = new ArrayList<>();
        byVersionRole.forEach((key, counts) ->
        {
            final Map<String, Long> ordered = new LinkedHashMap<>();
            outcomes.forEach((outcome) -> ordered.put(outcome, counts.getOrDefault(outcome, 0L)));
            versions.add(new ModelRequestReport.Counts(key.get(0), key.get(1), ordered));
        });
        return new ModelRequestReport(model, System.currentTimeMillis(), versions);
    }

    public FeatureStoreMeters featureStoreMeters(final String store)
    {
        return new FeatureStoreMeters(
            featureLookupDuration.child(store),
            Counter.builder("scoring.feature.cache.hits").description("Feature values answered from the cache")
                .tag("store", store).register(registry),
            Counter.builder("scoring.feature.cache.misses").description("Feature values the cache did not hold")
                .tag("store", store).register(registry));
    }

    /** A model's shadow counters, and a gauge over its shadow queue's depth. */
    public ShadowMeters shadowMeters(final String model, final IntSupplier queueDepth)
    {
        Gauge.builder("scoring.shadow.queue.depth", queueDepth, (depth) -> depth.getAsInt())
            .description("Requests waiting for shadow scoring")
            .tag("model", model).strongReference(true).register(registry);
        return new ShadowMeters(
            Counter.builder("scoring.shadow.scored").description("Requests scored by shadow versions")
                .tag("model", model).register(registry),
            Counter.builder("scoring.shadow.dropped").description("Requests not shadowed: the shadow queue was full")
                .tag("model", model).register(registry),
            Counter.builder("scoring.shadow.errors").description("Shadow scorings that failed")
                .tag("model", model).register(registry),
            Counter.builder("scoring.background.shed")
                .description("Requests answered without shadow scoring or sampling: shed near the concurrency limit")
                .tag("model", model).register(registry));
    }

    /**
     * Replaces a model's traffic weight gauges: every (version, role) listed is set, every one the model
     * had that is not listed is removed (a promoted canary's old role disappears).
     */
    public synchronized void trafficWeights(final String model, final List<TrafficShare> shares)
    {
        final Set<String> current = new HashSet<>();
        for (final TrafficShare share : shares)
        {
            final DoubleConsumer cell = gauge("scoring.traffic.weight", "Share of the model's traffic, percent",
                "model", model, "version", share.version(), "role", share.role());
            cell.accept(share.percent());
            current.add(share.version() + '\u0000' + share.role());
        }
        removeMeters("scoring.traffic.weight", (meter) -> model.equals(meter.getId().getTag("model")) &&
            !current.contains(meter.getId().getTag("version") + '\u0000' + meter.getId().getTag("role")));
    }

    /** Counts a model load attempt; result is e.g. "loaded", "failed", "unloaded". */
    public void modelLoadEvent(final String model, final String version, final String result)
    {
        Counter.builder("scoring.model.load.events").description("Model version loads and unloads by result")
            .tags("model", model, "version", version, "result", result)
            .register(registry).increment();
    }

    public Counter samplesDropped()
    {
        return samplesDropped;
    }

    public Counter samplesLogged()
    {
        return samplesLogged;
    }

    /** A counter for the monitoring components' own housekeeping (payload log files, sink errors). */
    public Counter counter(final String name, final String description, final String... tagKeyValues)
    {
        return Counter.builder(name).description(description).tags(tagKeyValues).register(registry);
    }

    /**
     * A gauge whose value the caller sets ({@code accept}); the same name and tags give the same cell. Tags are
     * key-value pairs. Used by drift and comparison, which compute their values off the hot path.
     */
    public DoubleConsumer gauge(final String name, final String description, final String... tagKeyValues)
    {
        final String key = name + Tags.of(tagKeyValues);
        return gauges.computeIfAbsent(key, (k) ->
        {
            final GaugeCell cell = new GaugeCell();
            Gauge.builder(name, cell, GaugeCell::get).description(description)
                .tags(tagKeyValues).strongReference(true).register(registry);
            return cell;
        });
    }

    /** Drops every meter of an unloaded version (requests, durations, drift, comparison, weights). */
    public void removeVersion(final String model, final String version)
    {
        final int modelLabel = requestDuration.labelIndex("model");
        final int versionLabel = requestDuration.labelIndex("version");
        requestDuration.removeIf((values) -> values.get(modelLabel).equals(model) && values.get(versionLabel).equals(version));
        removeMeters(null, (meter) -> model.equals(meter.getId().getTag("model")) &&
            version.equals(meter.getId().getTag("version")));
    }

    private void removeMeters(final String nameOrNull, final java.util.function.Predicate<Meter> which)
    {
        for (final Meter meter : registry.getMeters())
        {
            final Meter.Id id = meter.getId();
            if ((null == nameOrNull || nameOrNull.equals(id.getName())) && which.test(meter))
            {
                registry.remove(meter);
                gauges.remove(id.getName() + Tags.of(id.getTags()));
            }
        }
    }

    /** Writes every metric in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
    public void scrape(final OutputStream out) throws IOException
    {
        registry.scrape(out, CONTENT_TYPE);
    }

    public String scrape()
    {
        return registry.scrape(CONTENT_TYPE);
    }

    @Override
    public void close()
    {
        gcMetrics.close();
        registry.close();
    }
}
