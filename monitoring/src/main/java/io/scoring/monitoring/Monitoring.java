package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.comparison.ComparisonConfig;
import io.scoring.monitoring.comparison.ComparisonMonitor;
import io.scoring.monitoring.comparison.ModelComparisonReport;
import io.scoring.monitoring.drift.DriftConfig;
import io.scoring.monitoring.drift.DriftMonitor;
import io.scoring.monitoring.drift.ModelDriftReport;
import io.scoring.monitoring.feedback.FeedbackConfig;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.feedback.GroundTruth;
import io.scoring.monitoring.feedback.ModelAccuracyReport;
import io.scoring.monitoring.feedback.SampleRatioMismatch;
import io.scoring.monitoring.latency.LatencyRecorders;
import io.scoring.monitoring.latency.ModelLatencyReport;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.monitoring.metrics.TrafficShare;
import io.scoring.monitoring.sampling.KafkaPayloadConfig;
import io.scoring.monitoring.sampling.PayloadLog;
import io.scoring.monitoring.sampling.PayloadLogConfig;
import io.scoring.monitoring.sampling.SampleConsumer;
import io.scoring.monitoring.sampling.SampleQueue;
import io.scoring.monitoring.sampling.SampleSink;
import io.scoring.monitoring.sampling.SampleSources;
import io.scoring.monitoring.sampling.SamplingRate;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The monitoring module's one entry point: metrics, latency percentiles, sampling and the payload log,
 * drift, champion-challenger comparison and ground truth, wired together and run by one background
 * thread ({@link MonitoringAgent}).
 *
 * <p>The gateway builds one with {@link #start(Context)}, resolves a {@link VersionMeters} per loaded
 * (model version, role) and records through it on the hot path; admin endpoints read the reports;
 * {@link #close()} on shutdown drains accepted samples to the payload log and stops the thread.
 *
 * <p>Threading: all public methods are thread-safe. Resolution and reports allocate; the handles'
 * recording methods do not.
 */
public final class Monitoring implements AutoCloseable
{
    /** Label values for requests that never reached a version (unknown model or version). */
    public static final String UNKNOWN = "unknown";
    public static final String NO_ROLE = "none";

    private final Context ctx;
    private final ScoringMetrics metrics;
    private final LatencyRecorders latency;
    private final SampleSources sources = new SampleSources();
    private final SampleQueue samples;
    private final DriftMonitor drift;
    private final ComparisonMonitor comparison;
    private final GroundTruth groundTruth;
    private final AgentRunner runner;
    private final Map<String, SamplingRate> samplingByModel = new ConcurrentHashMap<>();
    private final Map<String, VersionMeters> handles = new ConcurrentHashMap<>();
    private final Map<String, TrafficSplit> splits = new ConcurrentHashMap<>();

    private Monitoring(final Context ctx)
    {
        this.ctx = ctx;
        metrics = new ScoringMetrics(ctx.outcomes());
        latency = new LatencyRecorders(ctx.latencyIntervalMillis());
        samples = new SampleQueue(ctx.sampleQueueBytes(), metrics.samplesDropped());
        drift = new DriftMonitor(ctx.drift(), metrics);
        comparison = new ComparisonMonitor(ctx.comparison(), metrics);
        groundTruth = new GroundTruth(ctx.feedback(), metrics.counter("scoring.feedback.predictions.evicted",
            "Remembered predictions evicted before their label arrived: the journal set was full"));

        final Counter errors = metrics.counter("scoring.monitoring.errors",
            "Failures inside the monitoring thread (a sink threw); the thread carries on");
        final List<SampleSink> sinks = new ArrayList<>();
        final PayloadLog payloadLog = PayloadLog.create(ctx.payloadLog(), ctx.payloadKafka(), metrics);
        if (null != payloadLog)
        {
            sinks.add(payloadLog);
        }
        sinks.add(drift);
        sinks.add(comparison);
        final SampleConsumer consumer = new SampleConsumer(samples, sources, sinks, metrics.samplesDropped(), errors);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(ctx.idleSleepMillis()),
            (throwable) -> errors.increment(), null, new MonitoringAgent(consumer, latency));
    }

    /** Builds everything and starts the monitoring thread. */
    public static Monitoring start(final Context ctx)
    {
        final Monitoring monitoring = new Monitoring(ctx.conclude());
        AgentRunner.startOnThread(monitoring.runner);
        return monitoring;
    }

    /**
     * The handle of a (model version, role); the same one for the same spec and role. Load time only:
     * it registers meters, a latency recorder and a sample source.
     */
    public VersionMeters versionMeters(final VersionSpec spec, final String role)
    {
        return handles.computeIfAbsent(key(spec.model(), spec.version(), role), (key) ->
        {
            final VersionMeters handle = new VersionMeters(
                sources.register(spec, role),
                metrics.requestMeters(spec.model(), spec.version(), role),
                latency.recorder(spec.model(), spec.version(), role),
                samplingRate(spec.model()),
                samples,
                groundTruth.journal(),
                groundTruth.outcomes(spec));
            splits.computeIfAbsent(spec.model(), (model) -> new TrafficSplit()).add(handle);
            return handle;
        });
    }

    /** Sets a model's sampling rate, 0 to 100 percent; applies to its handles at once. */
    public void samplingPercent(final String model, final double percent)
    {
        samplingRate(model).percent(percent);
    }

    public double samplingPercent(final String model)
    {
        return samplingRate(model).percent();
    }

    private SamplingRate samplingRate(final String model)
    {
        return samplingByModel.computeIfAbsent(model, (name) -> new SamplingRate(ctx.defaultSamplingPercent()));
    }

    /**
     * Publishes a model's traffic weights ({@code scoring_traffic_weight}) and starts a new count for
     * the sample-ratio-mismatch check.
     */
    public void trafficWeights(final String model, final List<TrafficShare> shares)
    {
        metrics.trafficWeights(model, shares);
        splits.computeIfAbsent(model, (name) -> new TrafficSplit()).restart(shares);
    }

    /** Does the canary's observed share of requests since the last weight change match its weight? */
    public SampleRatioMismatch sampleRatioMismatch(final String model)
    {
        final TrafficSplit split = splits.get(model);
        return null == split ? SampleRatioMismatch.check(0.0, 0, 0) : split.check();
    }

    /** Forgets an unloaded version: its meters, recorders, windows and sample sources. */
    public void unload(final String model, final String version)
    {
        handles.values().removeIf((handle) ->
        {
            final boolean gone = handle.model().equals(model) && handle.version().equals(version);
            if (gone)
            {
                sources.remove(handle.source());
                splits.get(model).remove(handle);
            }
            return gone;
        });
        latency.remove(model, version);
        drift.remove(model, version);
        comparison.remove(model, version);
        groundTruth.remove(model, version);
        metrics.removeVersion(model, version);
    }

    public ScoringMetrics metrics()
    {
        return metrics;
    }

    public ModelLatencyReport latency(final String model)
    {
        return latency.report(model);
    }

    public ModelDriftReport drift(final String model)
    {
        return drift.report(model);
    }

    public ModelComparisonReport comparison(final String model)
    {
        return comparison.report(model);
    }

    public ModelAccuracyReport accuracy(final String model)
    {
        return groundTruth.report(model);
    }

    /** Joins a label (1 = the positive class the score is the probability of, 0 = the other). */
    public FeedbackResult feedback(final String requestId, final int label)
    {
        return groundTruth.feedback(requestId, label, System.currentTimeMillis());
    }

    public void scrape(final OutputStream out) throws IOException
    {
        metrics.scrape(out);
    }

    /**
     * Stops sampling, writes every accepted sample to the payload log and closes it (Kafka: flushed
     * within {@link KafkaPayloadConfig#closeTimeoutMillis()}), stops the thread.
     */
    @Override
    public void close()
    {
        runner.close();
        metrics.close();
    }

    private static String key(final String model, final String version, final String role)
    {
        return model + '\u0000' + version + '\u0000' + role;
    }

    /**
     * Configuration, Agrona style: setters return this, {@link #conclude()} validates. Defaults are
     * the {@code *_DEFAULT} constants, each with the reason for its value.
     */
    public static final class Context
    {
        /** The gateway's outcome labels, in its enum's order. */
        public static final List<String> OUTCOMES_DEFAULT = List.of(
            "ok", "model_not_found", "version_not_found", "invalid_argument", "too_large", "scoring_failed", "shutting_down");
        /** Ten seconds: the "last interval" percentiles are a live view, not a long average. */
        public static final long LATENCY_INTERVAL_MILLIS_DEFAULT = 10_000L;
        /** 4 MiB: ~5,000 samples of a 20-feature model, seconds of backlog at any sane sampling rate. */
        public static final int SAMPLE_QUEUE_BYTES_DEFAULT = 4 << 20;
        /** 1 %: enough for drift windows to refill within minutes at 100 requests a second. */
        public static final double SAMPLING_PERCENT_DEFAULT = 1.0;
        /** The monitoring thread sleeps 1 ms when idle: no core spun on a 2-core box, samples still prompt. */
        public static final long IDLE_SLEEP_MILLIS_DEFAULT = 1L;

        private List<String> outcomes = OUTCOMES_DEFAULT;
        private long latencyIntervalMillis = LATENCY_INTERVAL_MILLIS_DEFAULT;
        private int sampleQueueBytes = SAMPLE_QUEUE_BYTES_DEFAULT;
        private double defaultSamplingPercent = SAMPLING_PERCENT_DEFAULT;
        private long idleSleepMillis = IDLE_SLEEP_MILLIS_DEFAULT;
        private PayloadLogConfig payloadLog;
        private KafkaPayloadConfig payloadKafka;
        private DriftConfig drift = DriftConfig.defaults();
        private ComparisonConfig comparison = ComparisonConfig.defaults();
        private FeedbackConfig feedback = FeedbackConfig.defaults();

        Context conclude()
        {
            if (outcomes.isEmpty() || !"ok".equals(outcomes.get(0)))
            {
                throw new IllegalArgumentException("outcomes must start with 'ok': " + outcomes);
            }
            if (latencyIntervalMillis < 1 || idleSleepMillis < 1)
            {
                throw new IllegalArgumentException("latency interval and idle sleep must be positive");
            }
            if (Integer.bitCount(sampleQueueBytes) != 1 || sampleQueueBytes < 4096)
            {
                throw new IllegalArgumentException("sample queue bytes must be a power of two >= 4096: " + sampleQueueBytes);
            }
            new SamplingRate(defaultSamplingPercent); // validates the range
            return this;
        }

        public Context outcomes(final List<String> outcomes)
        {
            this.outcomes = List.copyOf(outcomes);
            return this;
        }

        public List<String> outcomes()
        {
            return outcomes;
        }

        public Context latencyIntervalMillis(final long millis)
        {
            this.latencyIntervalMillis = millis;
            return this;
        }

        public long latencyIntervalMillis()
        {
            return latencyIntervalMillis;
        }

        public Context sampleQueueBytes(final int bytes)
        {
            this.sampleQueueBytes = bytes;
            return this;
        }

        public int sampleQueueBytes()
        {
            return sampleQueueBytes;
        }

        public Context defaultSamplingPercent(final double percent)
        {
            this.defaultSamplingPercent = percent;
            return this;
        }

        public double defaultSamplingPercent()
        {
            return defaultSamplingPercent;
        }

        public Context idleSleepMillis(final long millis)
        {
            this.idleSleepMillis = millis;
            return this;
        }

        public long idleSleepMillis()
        {
            return idleSleepMillis;
        }

        /** Where sampled requests are logged; null (the default) logs nothing. */
        public Context payloadLog(final PayloadLogConfig config)
        {
            this.payloadLog = config;
            return this;
        }

        public PayloadLogConfig payloadLog()
        {
            return payloadLog;
        }

        /** Also publish the payload log to a Kafka topic; null (the default) publishes nothing. */
        public Context payloadKafka(final KafkaPayloadConfig config)
        {
            this.payloadKafka = config;
            return this;
        }

        public KafkaPayloadConfig payloadKafka()
        {
            return payloadKafka;
        }

        public Context drift(final DriftConfig config)
        {
            this.drift = config;
            return this;
        }

        public DriftConfig drift()
        {
            return drift;
        }

        public Context comparison(final ComparisonConfig config)
        {
            this.comparison = config;
            return this;
        }

        public ComparisonConfig comparison()
        {
            return comparison;
        }

        public Context feedback(final FeedbackConfig config)
        {
            this.feedback = config;
            return this;
        }

        public FeedbackConfig feedback()
        {
            return feedback;
        }
    }
}
