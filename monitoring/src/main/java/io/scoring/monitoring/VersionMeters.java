package io.scoring.monitoring;

import io.scoring.monitoring.metrics.RequestMeters;

/**
 * Everything the request path touches for one (model, version, role), resolved once by
 * {@link Monitoring#versionMeters} when the version is loaded or its role changes, then held by the
 * router or the gateway next to the version itself.
 *
 * <p>Threading: every method is safe from any number of request threads at once. None of them looks
 * anything up by name, allocates, blocks or throws on expected conditions: a full sample queue is a
 * return code and a counter, a full prediction journal evicts its oldest entry and counts it.
 */
public final class VersionMeters
{
    private final SampleSource source;
    private final RequestMeters requests;
    private final LatencyRecorder latency;
    private final SamplingRate sampling;
    private final SampleQueue samples;
    private final PredictionJournal journal;
    private final VersionOutcomes outcomes;

    VersionMeters(
        final SampleSource source,
        final RequestMeters requests,
        final LatencyRecorder latency,
        final SamplingRate sampling,
        final SampleQueue samples,
        final PredictionJournal journal,
        final VersionOutcomes outcomes)
    {
        this.source = source;
        this.requests = requests;
        this.latency = latency;
        this.sampling = sampling;
        this.samples = samples;
        this.journal = journal;
        this.outcomes = outcomes;
    }

    public String model()
    {
        return source.model();
    }

    public String version()
    {
        return source.version();
    }

    public String role()
    {
        return source.role();
    }

    /**
     * Records one request: its outcome counter and, when it succeeded ({@code outcome == 0}, "ok"), its
     * total and stage durations in the Prometheus histograms and its total in the latency recorder.
     *
     * @param outcome the index of the outcome label in {@link Monitoring.Context#outcomes()}.
     */
    public void record(
        final int outcome,
        final long decodeNanos,
        final long featureLookupNanos,
        final long scoreNanos,
        final long encodeNanos,
        final long totalNanos)
    {
        requests.record(outcome, decodeNanos, featureLookupNanos, scoreNanos, encodeNanos, totalNanos);
        if (outcome == RequestMeters.OK)
        {
            latency.record(totalNanos);
        }
    }

    /**
     * Records one shadow scoring of a request: counted "ok", its scoring time in the Prometheus duration
     * histogram and the latency recorder of this (shadow) handle, never in the pipeline's stage histograms.
     */
    public void recordShadowScoring(final long scoreNanos)
    {
        requests.recordOffPath(scoreNanos);
        latency.record(scoreNanos);
    }

    /** Whether this request is in the model's sample; the same id always gets the same answer. */
    public boolean sampled(final CharSequence requestId)
    {
        return sampling.sample(requestId);
    }

    /**
     * Queues a sampled request for the payload log, drift and comparison. Never blocks or allocates.
     *
     * @param features rows x the version's feature count, row major, model order.
     * @param scores   one per row.
     * @param paired   other versions' scores of the same request ({@link #pairInto}), or null.
     * @return {@link SampleQueue#OFFERED} or the reason it was dropped (counted).
     */
    public int offerSample(
        final CharSequence requestId,
        final long epochMillis,
        final float[] features,
        final float[] scores,
        final int rows,
        final long scoreNanos,
        final PairedScores paired)
    {
        return samples.offer(source.id(), requestId, epochMillis, features, source.spec().featureCount(),
            scores, rows, scoreNanos, paired);
    }

    /** Adds this version's scores of a request to another version's sample. False when it is full. */
    public boolean pairInto(final PairedScores paired, final float[] scores, final long scoreNanos)
    {
        return paired.add(source.id(), scores, scoreNanos);
    }

    /**
     * Counts a scored request's rows in their segment groups: requests, positive decisions, score
     * distribution (see {@link Segment}). Allocation-free; nothing to do for a model without segments.
     *
     * @param features rows x the version's feature count, row major, model order.
     */
    public void recordSegments(final float[] features, final float[] scores, final int rows)
    {
        outcomes.tally().record(features, source.spec().featureCount(), scores, rows);
    }

    /**
     * Remembers the score of a request (its first row) and that row's segment groups, so a later label
     * can be joined to it.
     */
    public void rememberPrediction(
        final CharSequence requestId, final float[] features, final float score, final long epochMillis)
    {
        journal.remember(outcomes, requestId, score, outcomes.segments().pack(features, 0), epochMillis);
    }

    /** Requests this handle counted since its meters were created, whatever their outcome. */
    public long totalRequests()
    {
        return requests.total();
    }

    SampleSource source()
    {
        return source;
    }
}
