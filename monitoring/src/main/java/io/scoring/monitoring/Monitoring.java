package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.comparison.ModelComparisonReport;
import io.scoring.monitoring.drift.ModelDriftReport;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.feedback.ModelAccuracyReport;
import io.scoring.monitoring.feedback.SampleRatioMismatch;
import io.scoring.monitoring.history.HistoryReport;
import io.scoring.monitoring.history.SharedHistory;
import io.scoring.monitoring.latency.ModelLatencyReport;
import io.scoring.monitoring.metrics.ModelRequestReport;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.monitoring.metrics.TrafficShare;
import io.scoring.monitoring.segments.ModelSegmentReport;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
    private static final System.Logger LOG = System.getLogger(Monitoring.class.getName());

    private final Context ctx;
    private final ScoringMetrics metrics;
    private final LatencyRecorders latency;
    private final SampleSources sources = new SampleSources();
    private final SampleQueue samples;
    private final DriftMonitor drift;
    private final ComparisonMonitor comparison;
    private final GroundTruth groundTruth;
    private final EvaluationHistory history;
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
        drift = new DriftMonitor(ctx, metrics);
        comparison = new ComparisonMonitor(ctx, metrics);
        groundTruth = new GroundTruth(ctx, metrics.counter("scoring.feedback.predictions.evicted",
            "Remembered predictions evicted before their label arrived: the journal set was full"));

        final Counter errors = metrics.counter("scoring.monitoring.errors",
            "Failures inside the monitoring thread (a sink threw); the thread carries on");
        final List<SampleSink> sinks = new ArrayList<>();
        final PayloadLog payloadLog = PayloadLog.create(ctx, metrics);
        if (null != payloadLog)
        {
            sinks.add(payloadLog);
        }
        sinks.add(drift);
        sinks.add(comparison);
        history = null == ctx.historyDir() ? null : new EvaluationHistory(ctx,
            metrics.counter("scoring.history.files.deleted", "Evaluation history files deleted to keep under the cap"),
            metrics.counter("scoring.history.write.errors", "Evaluation history lines that failed to be written"));
        sinks.add(new Evaluations(ctx, metrics, groundTruth, drift, comparison, history, ctx.sharedHistory(),
            metrics.counter("scoring.history.shared.errors",
                "Evaluations the shared history (Redis) failed to take: they are only in this replica's files")));
        final SampleConsumer consumer = new SampleConsumer(samples, sources, sinks, metrics.samplesDropped(), errors);
        // parks of idleSleepMillis while busy, doubling while idle up to MAX_IDLE_PARK_MILLIS: an idle gateway's
        // monitoring thread woke 1,000 times a second, a third of the idle gateway's CPU (docs/PERFORMANCE.md)
        runner = new AgentRunner(new BackoffIdleStrategy(0, 0, TimeUnit.MILLISECONDS.toNanos(ctx.idleSleepMillis()),
            TimeUnit.MILLISECONDS.toNanos(Math.max(ctx.idleSleepMillis(), Context.MAX_IDLE_PARK_MILLIS))),
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
        return null == split ? TrafficSplit.check(0.0, 0, 0) : split.check();
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

    /** Requests per (version, role) and outcome since each was loaded. */
    public ModelRequestReport requests(final String model)
    {
        return metrics.requests(model);
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

    /** Figures by subpopulation per version: counts, score distribution, positive rate, accuracy, gaps. */
    public ModelSegmentReport segments(final String model)
    {
        return groundTruth.segments(model, System.currentTimeMillis());
    }

    /**
     * One metric's recorded values for a model (one version, or every version when {@code version} is null)
     * between two instants, inclusive, from the evaluation history; null when the history is off. The shared
     * history answers when there is one (the fleet's points); this replica's files when it fails.
     */
    public HistoryReport history(final String model, final String version, final String metric, final long from,
        final long to) throws IOException
    {
        final SharedHistory shared = ctx.sharedHistory();
        if (null != shared)
        {
            try
            {
                return shared.query(model, version, metric, from, to, EvaluationHistory.MAX_POINTS);
            }
            catch (final IOException | RuntimeException ex)
            {
                if (null == history)
                {
                    throw ex instanceof IOException io ? io : new IOException(ex.getMessage(), ex);
                }
                LOG.log(System.Logger.Level.WARNING,
                    "the shared evaluation history did not answer, this replica's files do: " + ex.getMessage());
            }
        }
        return null == history ? null : history.query(model, version, metric, from, to);
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
     * within {@link Context#payloadKafkaCloseTimeoutMillis()}), stops the thread.
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
     * The monitoring module's configuration, Aeron style: the Context is the configuration. Fluent
     * accessors; {@link #conclude()} validates (an {@link IllegalArgumentException} naming the setting
     * and the value) and is called by {@link #start}. Each setting has its name ({@code X_PROP_NAME}, the
     * gateway's flag, environment variable and config-file key are derived from it) and its default
     * ({@code X_DEFAULT}, with how it was chosen).
     *
     * <p>Not thread-safe: fill it on one thread, then hand it to {@link #start}.
     */
    public static final class Context
    {
        /** The gateway's outcome labels, in its enum's order. */
        public static final List<String> OUTCOMES_DEFAULT = List.of(
            "ok", "model_not_found", "version_not_found", "invalid_argument", "too_large", "scoring_failed", "shutting_down",
            "overloaded", "deadline_exceeded", "cancelled");

        public static final String LATENCY_INTERVAL_MILLIS_PROP_NAME = "latency-interval-ms";
        /** Ten seconds: the "last interval" percentiles are a live view, not a long average. */
        public static final long LATENCY_INTERVAL_MILLIS_DEFAULT = 10_000L;

        public static final String SAMPLE_QUEUE_BYTES_PROP_NAME = "sample-queue-bytes";
        /** 4 MiB: ~5,000 samples of a 20-feature model, seconds of backlog at any sane sampling rate. */
        public static final int SAMPLE_QUEUE_BYTES_DEFAULT = 4 << 20;

        public static final String SAMPLING_PERCENT_PROP_NAME = "sampling-percent";
        /** 1 %: enough for drift windows to refill within minutes at 100 requests a second. */
        public static final double SAMPLING_PERCENT_DEFAULT = 1.0;

        public static final String IDLE_SLEEP_MILLIS_PROP_NAME = "monitoring-idle-sleep-ms";
        /**
         * The monitoring thread sleeps 5 ms when idle: no core spun on a 2-core box, 200 wake-ups a second
         * at most, and a sample still reaches the drift windows within milliseconds (docs/PERFORMANCE.md,
         * "The longer park": with the shadow's 5 ms, 0.85x the CPU per answer of 1 ms at 4,000 requests/s).
         */
        public static final long IDLE_SLEEP_MILLIS_DEFAULT = 5L;
        /**
         * While nothing comes, its sleeps double up to 20 ms: 50 wake-ups a second instead of 1,000. Its
         * time-driven work (latency interval rolls, payload log flushes) runs on a scale of seconds, and 20 ms
         * of samples at 1% of 60,000 requests/s is 12 samples in a 4 MiB queue.
         */
        static final long MAX_IDLE_PARK_MILLIS = 20L;

        public static final String DRIFT_WINDOW_ROWS_PROP_NAME = "drift-window-rows";
        /** 1,000 rows: KS detects a 0.06 shift in the CDF at this size, PSI noise stays near 0.02. */
        public static final int DRIFT_WINDOW_ROWS_DEFAULT = 1_000;

        public static final String DRIFT_MIN_ROWS_PROP_NAME = "drift-min-rows";
        /** 100 rows: below that, chi-squared cells and PSI bins are too thin to read. */
        public static final int DRIFT_MIN_ROWS_DEFAULT = 100;

        public static final String DRIFT_ALPHA_PROP_NAME = "drift-alpha";
        /** Family-wise 5 %: a feature alarms when p < alpha / features (Bonferroni), the usual test level. */
        public static final double DRIFT_ALPHA_DEFAULT = 0.05;

        public static final String DRIFT_PSI_THRESHOLD_PROP_NAME = "drift-psi-threshold";
        /** 0.2: the credit-scoring industry's "significant shift" mark for the population stability index. */
        public static final double DRIFT_PSI_THRESHOLD_DEFAULT = 0.2;

        public static final String DRIFT_EVALUATE_MILLIS_PROP_NAME = "drift-evaluate-ms";
        /** Five seconds: sorting 20 features of 1,000 rows costs about a millisecond of the monitoring thread. */
        public static final long DRIFT_EVALUATE_MILLIS_DEFAULT = 5_000L;

        public static final String COMPARISON_WINDOW_PAIRS_PROP_NAME = "comparison-window-pairs";
        /** 1,000 pairs: agreement known to about ±3 points at 90 %, KS sensitive to a 0.06 CDF shift. */
        public static final int COMPARISON_WINDOW_PAIRS_DEFAULT = 1_000;

        public static final String COMPARISON_EVALUATE_MILLIS_PROP_NAME = "comparison-evaluate-ms";
        /** Five seconds, as drift: a comparison of 1,000 pairs costs well under a millisecond. */
        public static final long COMPARISON_EVALUATE_MILLIS_DEFAULT = 5_000L;

        public static final String FEEDBACK_JOURNAL_SIZE_PROP_NAME = "feedback-journal-size";
        /** 2^18 predictions, ~10 MB: 1 hour of 70 requests a second, or 4 minutes of 1,000. */
        public static final int FEEDBACK_JOURNAL_SIZE_DEFAULT = 1 << 18;
        /** One set of the journal's 8 ways: a smaller journal has nowhere to put a prediction. */
        public static final int FEEDBACK_JOURNAL_SIZE_MIN = 8;

        public static final String FEEDBACK_TTL_MILLIS_PROP_NAME = "feedback-ttl-ms";
        /** One hour: labels that arrive later than that are a batch job's business, not a live metric's. */
        public static final long FEEDBACK_TTL_MILLIS_DEFAULT = 3_600_000L;

        public static final String FEEDBACK_WINDOW_LABELS_PROP_NAME = "feedback-window-labels";
        /** 10,000 labels: AUC to about ±0.01. */
        public static final int FEEDBACK_WINDOW_LABELS_DEFAULT = 10_000;

        public static final String FEEDBACK_FALSE_NEGATIVE_COST_PROP_NAME = "feedback-false-negative-cost";
        /** The German Credit cost matrix: classing a bad applicant as good costs 5 ... */
        public static final double FEEDBACK_FALSE_NEGATIVE_COST_DEFAULT = 5.0;

        public static final String FEEDBACK_FALSE_POSITIVE_COST_PROP_NAME = "feedback-false-positive-cost";
        /** ... and a good applicant as bad costs 1. */
        public static final double FEEDBACK_FALSE_POSITIVE_COST_DEFAULT = 1.0;

        public static final String PAYLOAD_LOG_MAX_FILE_BYTES_PROP_NAME = "payload-log-max-file-bytes";
        /** 64 MiB: a minute of 1,000 samples a second of a 20-feature model is ~60 MB. */
        public static final long PAYLOAD_LOG_MAX_FILE_BYTES_DEFAULT = 64L << 20;

        public static final String PAYLOAD_LOG_MAX_FILE_MILLIS_PROP_NAME = "payload-log-max-file-ms";
        /** One hour: files line up with the hourly batch jobs that usually read them. */
        public static final long PAYLOAD_LOG_MAX_FILE_MILLIS_DEFAULT = 3_600_000L;

        public static final String PAYLOAD_LOG_MAX_TOTAL_BYTES_PROP_NAME = "payload-log-max-total-bytes";
        /** 1 GiB: a day or more at modest rates on any node's disk. */
        public static final long PAYLOAD_LOG_MAX_TOTAL_BYTES_DEFAULT = 1L << 30;

        public static final String PAYLOAD_LOG_FLUSH_MILLIS_PROP_NAME = "payload-log-flush-ms";
        /** One second: what a crash can lose of lines already accepted, at most. */
        public static final long PAYLOAD_LOG_FLUSH_MILLIS_DEFAULT = 1_000L;

        public static final String PAYLOAD_KAFKA_PROP_NAME = "payload-kafka";

        public static final String PAYLOAD_KAFKA_TOPIC_PROP_NAME = "payload-kafka-topic";
        /** The topic the gateway publishes to unless told otherwise. */
        public static final String PAYLOAD_KAFKA_TOPIC_DEFAULT = "scoring-payload";

        public static final String PAYLOAD_KAFKA_BUFFER_BYTES_PROP_NAME = "payload-kafka-buffer-bytes";
        /** 16 MiB: ~15 s of 1,000 one-kilobyte lines a second, enough to ride out a leader election. */
        public static final long PAYLOAD_KAFKA_BUFFER_BYTES_DEFAULT = 16L << 20;
        /** Room for a few 16 KiB batches ({@code batch.size}): below it every line would be dropped. */
        public static final long PAYLOAD_KAFKA_BUFFER_BYTES_MIN = 64L << 10;

        public static final String PAYLOAD_KAFKA_LINGER_MILLIS_PROP_NAME = "payload-kafka-linger-ms";
        /** 5 ms: batches of tens of lines at 1,000 samples a second, invisible next to a 1 s file flush. */
        public static final int PAYLOAD_KAFKA_LINGER_MILLIS_DEFAULT = 5;

        public static final String PAYLOAD_KAFKA_DELIVERY_TIMEOUT_MILLIS_PROP_NAME = "payload-kafka-delivery-timeout-ms";
        /** 30 s: a broker restart loses nothing buffered; a longer outage fills the buffer and drops. */
        public static final int PAYLOAD_KAFKA_DELIVERY_TIMEOUT_MILLIS_DEFAULT = 30_000;

        public static final String PAYLOAD_KAFKA_CONNECT_WAIT_MILLIS_PROP_NAME = "payload-kafka-connect-wait-ms";
        /** 1 s: a reachable broker answers in milliseconds; an unreachable one delays start-up by no more. */
        public static final long PAYLOAD_KAFKA_CONNECT_WAIT_MILLIS_DEFAULT = 1_000L;

        public static final String PAYLOAD_KAFKA_CLOSE_TIMEOUT_MILLIS_PROP_NAME = "payload-kafka-close-timeout-ms";
        /**
         * 2 s: a full buffer drains in well under a second on a LAN, and the monitoring thread must finish
         * closing within the 5 s after which Agrona's {@code AgentRunner.close()} interrupts it.
         */
        public static final long PAYLOAD_KAFKA_CLOSE_TIMEOUT_MILLIS_DEFAULT = 2_000L;

        /** The producer's wait for one broker response ({@code request.timeout.ms}); Kafka's 30 s is for WANs. */
        public static final int PAYLOAD_KAFKA_REQUEST_TIMEOUT_MILLIS = 10_000;

        public static final String SEGMENT_DISPARATE_IMPACT_MIN_PROP_NAME = "segment-disparate-impact-min";
        /** 0.8: the four-fifths rule of US employment law, the usual bound on a ratio of selection rates. */
        public static final double SEGMENT_DISPARATE_IMPACT_MIN_DEFAULT = 0.8;

        public static final String SEGMENT_EQUAL_OPPORTUNITY_MAX_PROP_NAME = "segment-equal-opportunity-max";
        /** 0.1: ten points of true-positive rate between groups, a common bound in fairness audits. */
        public static final double SEGMENT_EQUAL_OPPORTUNITY_MAX_DEFAULT = 0.1;

        public static final String SEGMENT_GAP_ALPHA_PROP_NAME = "segment-gap-alpha";
        /** 1 %: the gap is re-tested every evaluation on growing counts; a strict level keeps repeated looks quiet. */
        public static final double SEGMENT_GAP_ALPHA_DEFAULT = 0.01;

        public static final String DOMAIN_DRIFT_EVALUATE_MILLIS_PROP_NAME = "domain-drift-evaluate-ms";
        /** One minute: a run costs 0.1-0.2 s of one low-priority thread and ~0.4 MB of garbage (DomainDriftBenchmark). */
        public static final long DOMAIN_DRIFT_EVALUATE_MILLIS_DEFAULT = 60_000L;

        public static final String DOMAIN_DRIFT_MIN_AUC_PROP_NAME = "domain-drift-min-auc";
        /**
         * 0.6: an effect-size floor. Unshifted German Credit windows stay below it (random splits: at most 0.53 in
         * 20 runs; the demo's own train/test split: 0.53 on average, at most 0.57 in 40 seeds, often "significant"),
         * a broken correlation reaches 0.61-0.71 (monitoring/README.md, "Domain-classifier drift").
         */
        public static final double DOMAIN_DRIFT_MIN_AUC_DEFAULT = 0.6;

        public static final String EVALUATION_INTERVAL_MILLIS_PROP_NAME = "evaluation-interval-ms";
        /** One minute: a week of history per version is ~10,000 lines, and a dashboard sees segment gaps within it. */
        public static final long EVALUATION_INTERVAL_MILLIS_DEFAULT = 60_000L;

        public static final String HISTORY_MAX_FILE_BYTES_PROP_NAME = "history-max-file-bytes";
        /** 16 MiB: about two days of one-minute evaluations (~6 KB each) of one version. */
        public static final long HISTORY_MAX_FILE_BYTES_DEFAULT = 16L << 20;

        public static final String HISTORY_MAX_TOTAL_BYTES_PROP_NAME = "history-max-total-bytes";
        /** 256 MiB: a month of one version's one-minute evaluations; a range query reads at most this much. */
        public static final long HISTORY_MAX_TOTAL_BYTES_DEFAULT = 256L << 20;

        private List<String> outcomes = OUTCOMES_DEFAULT;
        private long latencyIntervalMillis = LATENCY_INTERVAL_MILLIS_DEFAULT;
        private int sampleQueueBytes = SAMPLE_QUEUE_BYTES_DEFAULT;
        private double defaultSamplingPercent = SAMPLING_PERCENT_DEFAULT;
        private long idleSleepMillis = IDLE_SLEEP_MILLIS_DEFAULT;
        private int driftWindowRows = DRIFT_WINDOW_ROWS_DEFAULT;
        private int driftMinRows = DRIFT_MIN_ROWS_DEFAULT;
        private double driftAlpha = DRIFT_ALPHA_DEFAULT;
        private double driftPsiThreshold = DRIFT_PSI_THRESHOLD_DEFAULT;
        private long driftEvaluateMillis = DRIFT_EVALUATE_MILLIS_DEFAULT;
        private int comparisonWindowPairs = COMPARISON_WINDOW_PAIRS_DEFAULT;
        private long comparisonEvaluateMillis = COMPARISON_EVALUATE_MILLIS_DEFAULT;
        private int feedbackJournalSize = FEEDBACK_JOURNAL_SIZE_DEFAULT;
        private long feedbackTtlMillis = FEEDBACK_TTL_MILLIS_DEFAULT;
        private int feedbackWindowLabels = FEEDBACK_WINDOW_LABELS_DEFAULT;
        private double feedbackFalseNegativeCost = FEEDBACK_FALSE_NEGATIVE_COST_DEFAULT;
        private double feedbackFalsePositiveCost = FEEDBACK_FALSE_POSITIVE_COST_DEFAULT;
        private Path payloadLogDir;
        private long payloadLogMaxFileBytes = PAYLOAD_LOG_MAX_FILE_BYTES_DEFAULT;
        private long payloadLogMaxFileMillis = PAYLOAD_LOG_MAX_FILE_MILLIS_DEFAULT;
        private long payloadLogMaxTotalBytes = PAYLOAD_LOG_MAX_TOTAL_BYTES_DEFAULT;
        private long payloadLogFlushMillis = PAYLOAD_LOG_FLUSH_MILLIS_DEFAULT;
        private String payloadKafka;
        private String payloadKafkaTopic = PAYLOAD_KAFKA_TOPIC_DEFAULT;
        private long payloadKafkaBufferBytes = PAYLOAD_KAFKA_BUFFER_BYTES_DEFAULT;
        private int payloadKafkaLingerMillis = PAYLOAD_KAFKA_LINGER_MILLIS_DEFAULT;
        private int payloadKafkaDeliveryTimeoutMillis = PAYLOAD_KAFKA_DELIVERY_TIMEOUT_MILLIS_DEFAULT;
        private long payloadKafkaConnectWaitMillis = PAYLOAD_KAFKA_CONNECT_WAIT_MILLIS_DEFAULT;
        private long payloadKafkaCloseTimeoutMillis = PAYLOAD_KAFKA_CLOSE_TIMEOUT_MILLIS_DEFAULT;
        private double segmentDisparateImpactMin = SEGMENT_DISPARATE_IMPACT_MIN_DEFAULT;
        private double segmentEqualOpportunityMax = SEGMENT_EQUAL_OPPORTUNITY_MAX_DEFAULT;
        private double segmentGapAlpha = SEGMENT_GAP_ALPHA_DEFAULT;
        private long domainDriftEvaluateMillis = DOMAIN_DRIFT_EVALUATE_MILLIS_DEFAULT;
        private double domainDriftMinAuc = DOMAIN_DRIFT_MIN_AUC_DEFAULT;
        private long evaluationIntervalMillis = EVALUATION_INTERVAL_MILLIS_DEFAULT;
        private Path historyDir;
        private long historyMaxFileBytes = HISTORY_MAX_FILE_BYTES_DEFAULT;
        private long historyMaxTotalBytes = HISTORY_MAX_TOTAL_BYTES_DEFAULT;
        private SharedHistory sharedHistory;

        /** Validates every setting; idempotent. */
        public Context conclude()
        {
            if (outcomes.isEmpty() || !"ok".equals(outcomes.get(0)))
            {
                throw new IllegalArgumentException("outcomes must start with 'ok', got " + outcomes);
            }
            require(latencyIntervalMillis >= 1, LATENCY_INTERVAL_MILLIS_PROP_NAME, latencyIntervalMillis, "at least 1");
            require(Integer.bitCount(sampleQueueBytes) == 1 && sampleQueueBytes >= 4096, SAMPLE_QUEUE_BYTES_PROP_NAME,
                sampleQueueBytes, "a power of two of at least 4096");
            require(defaultSamplingPercent >= 0.0 && defaultSamplingPercent <= 100.0, SAMPLING_PERCENT_PROP_NAME,
                defaultSamplingPercent, "0 to 100");
            require(idleSleepMillis >= 1, IDLE_SLEEP_MILLIS_PROP_NAME, idleSleepMillis, "at least 1");

            require(driftWindowRows >= 1, DRIFT_WINDOW_ROWS_PROP_NAME, driftWindowRows, "at least 1");
            require(driftMinRows >= 1 && driftMinRows <= driftWindowRows, DRIFT_MIN_ROWS_PROP_NAME, driftMinRows,
                "1 to " + DRIFT_WINDOW_ROWS_PROP_NAME + " (" + driftWindowRows + ")");
            require(driftAlpha > 0.0 && driftAlpha < 1.0, DRIFT_ALPHA_PROP_NAME, driftAlpha, "between 0 and 1");
            require(driftPsiThreshold > 0.0, DRIFT_PSI_THRESHOLD_PROP_NAME, driftPsiThreshold, "positive");
            require(driftEvaluateMillis >= 1, DRIFT_EVALUATE_MILLIS_PROP_NAME, driftEvaluateMillis, "at least 1");

            require(comparisonWindowPairs >= 1, COMPARISON_WINDOW_PAIRS_PROP_NAME, comparisonWindowPairs, "at least 1");
            require(comparisonEvaluateMillis >= 1, COMPARISON_EVALUATE_MILLIS_PROP_NAME, comparisonEvaluateMillis,
                "at least 1");

            require(Integer.bitCount(feedbackJournalSize) == 1 && feedbackJournalSize >= FEEDBACK_JOURNAL_SIZE_MIN,
                FEEDBACK_JOURNAL_SIZE_PROP_NAME, feedbackJournalSize,
                "a power of two of at least " + FEEDBACK_JOURNAL_SIZE_MIN);
            require(feedbackTtlMillis >= 1, FEEDBACK_TTL_MILLIS_PROP_NAME, feedbackTtlMillis, "at least 1");
            require(feedbackWindowLabels >= 1, FEEDBACK_WINDOW_LABELS_PROP_NAME, feedbackWindowLabels, "at least 1");
            require(feedbackFalseNegativeCost >= 0.0, FEEDBACK_FALSE_NEGATIVE_COST_PROP_NAME, feedbackFalseNegativeCost,
                "0 or more");
            require(feedbackFalsePositiveCost >= 0.0, FEEDBACK_FALSE_POSITIVE_COST_PROP_NAME, feedbackFalsePositiveCost,
                "0 or more");

            require(payloadLogMaxFileBytes >= 1, PAYLOAD_LOG_MAX_FILE_BYTES_PROP_NAME, payloadLogMaxFileBytes,
                "at least 1");
            require(payloadLogMaxFileMillis >= 1, PAYLOAD_LOG_MAX_FILE_MILLIS_PROP_NAME, payloadLogMaxFileMillis,
                "at least 1");
            require(payloadLogMaxTotalBytes >= payloadLogMaxFileBytes, PAYLOAD_LOG_MAX_TOTAL_BYTES_PROP_NAME,
                payloadLogMaxTotalBytes,
                "at least " + PAYLOAD_LOG_MAX_FILE_BYTES_PROP_NAME + " (" + payloadLogMaxFileBytes + ")");
            require(payloadLogFlushMillis >= 1, PAYLOAD_LOG_FLUSH_MILLIS_PROP_NAME, payloadLogFlushMillis,
                "at least 1");

            require(null == payloadKafka || !payloadKafka.isBlank(), PAYLOAD_KAFKA_PROP_NAME, "'" + payloadKafka + "'",
                "host:port[,host:port...]");
            require(null != payloadKafkaTopic && !payloadKafkaTopic.isBlank(), PAYLOAD_KAFKA_TOPIC_PROP_NAME,
                "'" + payloadKafkaTopic + "'", "a topic name");
            require(payloadKafkaBufferBytes >= PAYLOAD_KAFKA_BUFFER_BYTES_MIN, PAYLOAD_KAFKA_BUFFER_BYTES_PROP_NAME,
                payloadKafkaBufferBytes, "at least " + PAYLOAD_KAFKA_BUFFER_BYTES_MIN);
            require(payloadKafkaLingerMillis >= 0, PAYLOAD_KAFKA_LINGER_MILLIS_PROP_NAME, payloadKafkaLingerMillis,
                "0 or more");
            final long minDeliveryTimeout = (long)payloadKafkaLingerMillis + PAYLOAD_KAFKA_REQUEST_TIMEOUT_MILLIS;
            require(payloadKafkaDeliveryTimeoutMillis >= minDeliveryTimeout,
                PAYLOAD_KAFKA_DELIVERY_TIMEOUT_MILLIS_PROP_NAME, payloadKafkaDeliveryTimeoutMillis,
                "at least " + PAYLOAD_KAFKA_LINGER_MILLIS_PROP_NAME + " + " + PAYLOAD_KAFKA_REQUEST_TIMEOUT_MILLIS + " ms (" +
                minDeliveryTimeout + ")");
            require(payloadKafkaConnectWaitMillis >= 0, PAYLOAD_KAFKA_CONNECT_WAIT_MILLIS_PROP_NAME,
                payloadKafkaConnectWaitMillis, "0 or more");
            require(payloadKafkaCloseTimeoutMillis >= 0, PAYLOAD_KAFKA_CLOSE_TIMEOUT_MILLIS_PROP_NAME,
                payloadKafkaCloseTimeoutMillis, "0 or more");

            require(segmentDisparateImpactMin >= 0.0 && segmentDisparateImpactMin <= 1.0,
                SEGMENT_DISPARATE_IMPACT_MIN_PROP_NAME, segmentDisparateImpactMin, "0 to 1");
            require(segmentEqualOpportunityMax >= 0.0 && segmentEqualOpportunityMax <= 1.0,
                SEGMENT_EQUAL_OPPORTUNITY_MAX_PROP_NAME, segmentEqualOpportunityMax, "0 to 1");
            require(segmentGapAlpha > 0.0 && segmentGapAlpha < 1.0, SEGMENT_GAP_ALPHA_PROP_NAME, segmentGapAlpha,
                "between 0 and 1");
            require(domainDriftEvaluateMillis >= 1, DOMAIN_DRIFT_EVALUATE_MILLIS_PROP_NAME, domainDriftEvaluateMillis,
                "at least 1");
            require(domainDriftMinAuc >= 0.5 && domainDriftMinAuc < 1.0, DOMAIN_DRIFT_MIN_AUC_PROP_NAME, domainDriftMinAuc,
                "0.5 or more and below 1");
            require(evaluationIntervalMillis >= 1, EVALUATION_INTERVAL_MILLIS_PROP_NAME, evaluationIntervalMillis,
                "at least 1");
            require(historyMaxFileBytes >= 1, HISTORY_MAX_FILE_BYTES_PROP_NAME, historyMaxFileBytes, "at least 1");
            require(historyMaxTotalBytes >= historyMaxFileBytes, HISTORY_MAX_TOTAL_BYTES_PROP_NAME, historyMaxTotalBytes,
                "at least " + HISTORY_MAX_FILE_BYTES_PROP_NAME + " (" + historyMaxFileBytes + ")");
            return this;
        }

        private static void require(final boolean valid, final String name, final Object value, final String rule)
        {
            if (!valid)
            {
                throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
            }
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

        /**
         * Where every evaluation also goes, and what range queries read, shared by a fleet (the gateway's
         * Redis when its state is there); null (default): this replica's history files only.
         */
        public Context sharedHistory(final SharedHistory sharedHistory)
        {
            this.sharedHistory = sharedHistory;
            return this;
        }

        public SharedHistory sharedHistory()
        {
            return sharedHistory;
        }

        /** How long the "last interval" latency percentiles cover. */
        public Context latencyIntervalMillis(final long latencyIntervalMillis)
        {
            this.latencyIntervalMillis = latencyIntervalMillis;
            return this;
        }

        public long latencyIntervalMillis()
        {
            return latencyIntervalMillis;
        }

        /** The ring sampled requests wait in for the monitoring thread; a full ring drops and counts. */
        public Context sampleQueueBytes(final int sampleQueueBytes)
        {
            this.sampleQueueBytes = sampleQueueBytes;
            return this;
        }

        public int sampleQueueBytes()
        {
            return sampleQueueBytes;
        }

        /** Percent of requests sampled per model until the admin API changes it (0-100). */
        public Context defaultSamplingPercent(final double defaultSamplingPercent)
        {
            this.defaultSamplingPercent = defaultSamplingPercent;
            return this;
        }

        public double defaultSamplingPercent()
        {
            return defaultSamplingPercent;
        }

        /** How long the monitoring thread sleeps when it has nothing to do. */
        public Context idleSleepMillis(final long idleSleepMillis)
        {
            this.idleSleepMillis = idleSleepMillis;
            return this;
        }

        public long idleSleepMillis()
        {
            return idleSleepMillis;
        }

        /** The drift window: the last this many sampled rows of a version. */
        public Context driftWindowRows(final int driftWindowRows)
        {
            this.driftWindowRows = driftWindowRows;
            return this;
        }

        public int driftWindowRows()
        {
            return driftWindowRows;
        }

        /** No drift verdict before the window holds this many rows. */
        public Context driftMinRows(final int driftMinRows)
        {
            this.driftMinRows = driftMinRows;
            return this;
        }

        public int driftMinRows()
        {
            return driftMinRows;
        }

        /** Family-wise significance: a feature alarms when p < alpha / features (Bonferroni). */
        public Context driftAlpha(final double driftAlpha)
        {
            this.driftAlpha = driftAlpha;
            return this;
        }

        public double driftAlpha()
        {
            return driftAlpha;
        }

        /** A feature also alarms when its PSI exceeds this. */
        public Context driftPsiThreshold(final double driftPsiThreshold)
        {
            this.driftPsiThreshold = driftPsiThreshold;
            return this;
        }

        public double driftPsiThreshold()
        {
            return driftPsiThreshold;
        }

        /** How often the monitoring thread re-evaluates a drift window that changed. */
        public Context driftEvaluateMillis(final long driftEvaluateMillis)
        {
            this.driftEvaluateMillis = driftEvaluateMillis;
            return this;
        }

        public long driftEvaluateMillis()
        {
            return driftEvaluateMillis;
        }

        /** The comparison window: the last this many (champion, challenger) score pairs. */
        public Context comparisonWindowPairs(final int comparisonWindowPairs)
        {
            this.comparisonWindowPairs = comparisonWindowPairs;
            return this;
        }

        public int comparisonWindowPairs()
        {
            return comparisonWindowPairs;
        }

        /** How often the monitoring thread re-evaluates a comparison window that changed. */
        public Context comparisonEvaluateMillis(final long comparisonEvaluateMillis)
        {
            this.comparisonEvaluateMillis = comparisonEvaluateMillis;
            return this;
        }

        public long comparisonEvaluateMillis()
        {
            return comparisonEvaluateMillis;
        }

        /** Predictions remembered for feedback (a power of two); the oldest of a full set is evicted. */
        public Context feedbackJournalSize(final int feedbackJournalSize)
        {
            this.feedbackJournalSize = feedbackJournalSize;
            return this;
        }

        public int feedbackJournalSize()
        {
            return feedbackJournalSize;
        }

        /** A prediction older than this no longer joins a label. */
        public Context feedbackTtlMillis(final long feedbackTtlMillis)
        {
            this.feedbackTtlMillis = feedbackTtlMillis;
            return this;
        }

        public long feedbackTtlMillis()
        {
            return feedbackTtlMillis;
        }

        /** Per version, accuracy metrics cover the last this many joined labels. */
        public Context feedbackWindowLabels(final int feedbackWindowLabels)
        {
            this.feedbackWindowLabels = feedbackWindowLabels;
            return this;
        }

        public int feedbackWindowLabels()
        {
            return feedbackWindowLabels;
        }

        /** Cost of a positive (credit: a bad applicant) decided negative (good). */
        public Context feedbackFalseNegativeCost(final double feedbackFalseNegativeCost)
        {
            this.feedbackFalseNegativeCost = feedbackFalseNegativeCost;
            return this;
        }

        public double feedbackFalseNegativeCost()
        {
            return feedbackFalseNegativeCost;
        }

        /** Cost of a negative (good) decided positive (bad). */
        public Context feedbackFalsePositiveCost(final double feedbackFalsePositiveCost)
        {
            this.feedbackFalsePositiveCost = feedbackFalsePositiveCost;
            return this;
        }

        public double feedbackFalsePositiveCost()
        {
            return feedbackFalsePositiveCost;
        }

        /** The payload log's directory (files {@code samples-<epoch millis>-<seq>.jsonl}); null (the default): none. */
        public Context payloadLogDir(final Path payloadLogDir)
        {
            this.payloadLogDir = payloadLogDir;
            return this;
        }

        public Path payloadLogDir()
        {
            return payloadLogDir;
        }

        /** A payload log file is closed once it reaches this size. */
        public Context payloadLogMaxFileBytes(final long payloadLogMaxFileBytes)
        {
            this.payloadLogMaxFileBytes = payloadLogMaxFileBytes;
            return this;
        }

        public long payloadLogMaxFileBytes()
        {
            return payloadLogMaxFileBytes;
        }

        /** A non-empty payload log file is closed once it has been open this long. */
        public Context payloadLogMaxFileMillis(final long payloadLogMaxFileMillis)
        {
            this.payloadLogMaxFileMillis = payloadLogMaxFileMillis;
            return this;
        }

        public long payloadLogMaxFileMillis()
        {
            return payloadLogMaxFileMillis;
        }

        /** The oldest closed payload log files are deleted while all together exceed this. */
        public Context payloadLogMaxTotalBytes(final long payloadLogMaxTotalBytes)
        {
            this.payloadLogMaxTotalBytes = payloadLogMaxTotalBytes;
            return this;
        }

        public long payloadLogMaxTotalBytes()
        {
            return payloadLogMaxTotalBytes;
        }

        /** Buffered payload log lines reach the OS at least this often (and whenever the queue is idle). */
        public Context payloadLogFlushMillis(final long payloadLogFlushMillis)
        {
            this.payloadLogFlushMillis = payloadLogFlushMillis;
            return this;
        }

        public long payloadLogFlushMillis()
        {
            return payloadLogFlushMillis;
        }

        /** Kafka bootstrap servers ({@code host:port[,...]}) the payload log also goes to; null (the default): none. */
        public Context payloadKafka(final String payloadKafka)
        {
            this.payloadKafka = payloadKafka;
            return this;
        }

        public String payloadKafka()
        {
            return payloadKafka;
        }

        /** The payload log's Kafka topic; each line keyed by its request id. */
        public Context payloadKafkaTopic(final String payloadKafkaTopic)
        {
            this.payloadKafkaTopic = payloadKafkaTopic;
            return this;
        }

        public String payloadKafkaTopic()
        {
            return payloadKafkaTopic;
        }

        /** The producer's whole buffer ({@code buffer.memory}); a line that finds it full is dropped and counted. */
        public Context payloadKafkaBufferBytes(final long payloadKafkaBufferBytes)
        {
            this.payloadKafkaBufferBytes = payloadKafkaBufferBytes;
            return this;
        }

        public long payloadKafkaBufferBytes()
        {
            return payloadKafkaBufferBytes;
        }

        /** How long a batch waits for more lines before it is sent ({@code linger.ms}). */
        public Context payloadKafkaLingerMillis(final int payloadKafkaLingerMillis)
        {
            this.payloadKafkaLingerMillis = payloadKafkaLingerMillis;
            return this;
        }

        public int payloadKafkaLingerMillis()
        {
            return payloadKafkaLingerMillis;
        }

        /** A buffered line not acknowledged within this is dropped and counted ({@code delivery.timeout.ms}). */
        public Context payloadKafkaDeliveryTimeoutMillis(final int payloadKafkaDeliveryTimeoutMillis)
        {
            this.payloadKafkaDeliveryTimeoutMillis = payloadKafkaDeliveryTimeoutMillis;
            return this;
        }

        public int payloadKafkaDeliveryTimeoutMillis()
        {
            return payloadKafkaDeliveryTimeoutMillis;
        }

        /** How long start-up waits for the topic's metadata; 0: not at all. */
        public Context payloadKafkaConnectWaitMillis(final long payloadKafkaConnectWaitMillis)
        {
            this.payloadKafkaConnectWaitMillis = payloadKafkaConnectWaitMillis;
            return this;
        }

        public long payloadKafkaConnectWaitMillis()
        {
            return payloadKafkaConnectWaitMillis;
        }

        /** How long {@link Monitoring#close()} waits for buffered lines to be acknowledged; the rest are dropped, counted. */
        public Context payloadKafkaCloseTimeoutMillis(final long payloadKafkaCloseTimeoutMillis)
        {
            this.payloadKafkaCloseTimeoutMillis = payloadKafkaCloseTimeoutMillis;
            return this;
        }

        public long payloadKafkaCloseTimeoutMillis()
        {
            return payloadKafkaCloseTimeoutMillis;
        }

        /** A segment alarms when its lowest positive-decision rate over its highest falls below this (significantly). */
        public Context segmentDisparateImpactMin(final double segmentDisparateImpactMin)
        {
            this.segmentDisparateImpactMin = segmentDisparateImpactMin;
            return this;
        }

        public double segmentDisparateImpactMin()
        {
            return segmentDisparateImpactMin;
        }

        /** A segment alarms when its groups' true-positive rates differ by more than this (significantly). */
        public Context segmentEqualOpportunityMax(final double segmentEqualOpportunityMax)
        {
            this.segmentEqualOpportunityMax = segmentEqualOpportunityMax;
            return this;
        }

        public double segmentEqualOpportunityMax()
        {
            return segmentEqualOpportunityMax;
        }

        /** The significance level a segment gap must reach to alarm. */
        public Context segmentGapAlpha(final double segmentGapAlpha)
        {
            this.segmentGapAlpha = segmentGapAlpha;
            return this;
        }

        public double segmentGapAlpha()
        {
            return segmentGapAlpha;
        }

        /** How often a version's domain classifier is retrained on its reference sample and recent window. */
        public Context domainDriftEvaluateMillis(final long domainDriftEvaluateMillis)
        {
            this.domainDriftEvaluateMillis = domainDriftEvaluateMillis;
            return this;
        }

        public long domainDriftEvaluateMillis()
        {
            return domainDriftEvaluateMillis;
        }

        /** Domain-classifier drift alarms when the cross-validated AUC is significant and at least this. */
        public Context domainDriftMinAuc(final double domainDriftMinAuc)
        {
            this.domainDriftMinAuc = domainDriftMinAuc;
            return this;
        }

        public double domainDriftMinAuc()
        {
            return domainDriftMinAuc;
        }

        /** How often segment figures are published and every version's figures appended to the history. */
        public Context evaluationIntervalMillis(final long evaluationIntervalMillis)
        {
            this.evaluationIntervalMillis = evaluationIntervalMillis;
            return this;
        }

        public long evaluationIntervalMillis()
        {
            return evaluationIntervalMillis;
        }

        /** The evaluation history's directory (files {@code history-<epoch millis>-<seq>.jsonl}); null (default): none. */
        public Context historyDir(final Path historyDir)
        {
            this.historyDir = historyDir;
            return this;
        }

        public Path historyDir()
        {
            return historyDir;
        }

        /** A history file is closed once it reaches this size. */
        public Context historyMaxFileBytes(final long historyMaxFileBytes)
        {
            this.historyMaxFileBytes = historyMaxFileBytes;
            return this;
        }

        public long historyMaxFileBytes()
        {
            return historyMaxFileBytes;
        }

        /** The oldest closed history files are deleted while all together exceed this. */
        public Context historyMaxTotalBytes(final long historyMaxTotalBytes)
        {
            this.historyMaxTotalBytes = historyMaxTotalBytes;
            return this;
        }

        public long historyMaxTotalBytes()
        {
            return historyMaxTotalBytes;
        }
    }
}
