package io.scoring.monitoring.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * The Prometheus meters of one (model, version, role), resolved once: one request counter per outcome
 * label, the request duration histogram, and the shared per-stage histograms.
 *
 * <p>Threading: {@link #record} from any number of threads. It is field loads, an array index, a
 * Micrometer counter's {@code DoubleAdder} and five {@link DurationHistogram}s (a search of at most three compares and two
 * {@code LongAdder}s each): no lookup by name, no lock, no clock read, no allocation.
 */
public final class RequestMeters
{
    /** The outcome index whose requests also feed the duration histograms: the gateway's "ok". */
    public static final int OK = 0;

    private final Counter[] requestsByOutcome;
    private final DurationHistogram duration;
    private final StageHistograms stages;

    RequestMeters(final Counter[] requestsByOutcome, final DurationHistogram duration, final StageHistograms stages)
    {
        this.requestsByOutcome = requestsByOutcome;
        this.duration = duration;
        this.stages = stages;
    }

    /**
     * Counts a request under its outcome; a successful one also records its total and stage durations
     * (failed requests stop at different stages, so their durations would blur the histograms).
     */
    public void record(
        final int outcome,
        final long decodeNanos,
        final long featureLookupNanos,
        final long scoreNanos,
        final long encodeNanos,
        final long totalNanos)
    {
        requestsByOutcome[outcome].increment();
        if (outcome == OK)
        {
            duration.record(totalNanos);
            stages.record(decodeNanos, featureLookupNanos, scoreNanos, encodeNanos);
        }
    }

    /**
     * Counts a scoring done off the request path (a shadow's) as "ok" and records its duration. The
     * stage histograms stay the request pipeline's alone: a shadow has no decode, lookup or encode, and
     * its zeros would pull the pipeline's stage percentiles down.
     */
    public void recordOffPath(final long nanos)
    {
        requestsByOutcome[OK].increment();
        duration.record(nanos);
    }

    /** Requests counted since start, whatever their outcome. */
    public long total()
    {
        double total = 0.0;
        for (final Counter counter : requestsByOutcome)
        {
            total += counter.count();
        }
        return (long)total;
    }

    /** The four stage histograms every version shares ({@code scoring_stage_duration_seconds{stage}}). */
    static final class StageHistograms
    {
        private final DurationHistogram decode;
        private final DurationHistogram featureLookup;
        private final DurationHistogram score;
        private final DurationHistogram encode;

        StageHistograms(
            final DurationHistogram decode,
            final DurationHistogram featureLookup,
            final DurationHistogram score,
            final DurationHistogram encode)
        {
            this.decode = decode;
            this.featureLookup = featureLookup;
            this.score = score;
            this.encode = encode;
        }

        void record(final long decodeNanos, final long featureLookupNanos, final long scoreNanos, final long encodeNanos)
        {
            decode.record(decodeNanos);
            featureLookup.record(featureLookupNanos);
            score.record(scoreNanos);
            encode.record(encodeNanos);
        }
    }
}
