package io.scoring.monitoring.feedback;

import io.micrometer.core.instrument.Counter;

/**
 * Recent predictions by request id, so a label that arrives later can be joined to the score it judges.
 *
 * <p>Design: a set-associative table (like a CPU cache). A request id hashes to one set of
 * {@link #WAYS} slots; {@link #remember} takes a free or expired slot of the set, or else evicts the
 * set's oldest prediction (counted in {@code scoring_feedback_predictions_evicted_total}). Lookups
 * search only that set. So the table never grows past its capacity, needs no resizing, tombstones or
 * background sweep, and what it forgets first is (per set) the oldest. Slots are parallel primitive
 * arrays plus a reference to the caller's request id String: remembering copies nothing.
 *
 * <p>Threading: any number of threads. Sets are guarded by {@link #STRIPES} striped monitors, so two
 * event loops collide only when their request ids land on the same stripe. {@link #remember} is on the
 * hot path: a hash, an uncontended monitor, at most eight compares; it never allocates or blocks on I/O.
 */
public final class PredictionJournal
{
    /** Slots per set: eight makes an eviction of a still-useful prediction rare at 90 % occupancy. */
    static final int WAYS = 8;
    /** Lock stripes: a power of two well above the event-loop count. */
    private static final int STRIPES = 64;

    private final long ttlMillis;
    private final int setMask;
    private final String[] requestIds;
    private final int[] hashes;
    private final long[] epochMillis;
    private final float[] scores;
    private final VersionOutcomes[] versions;
    private final Object[] stripes = new Object[STRIPES];
    private final Counter evicted;

    public PredictionJournal(final FeedbackConfig config, final Counter evicted)
    {
        this.ttlMillis = config.ttlMillis();
        final int capacity = config.journalCapacity();
        this.setMask = capacity / WAYS - 1;
        this.requestIds = new String[capacity];
        this.hashes = new int[capacity];
        this.epochMillis = new long[capacity];
        this.scores = new float[capacity];
        this.versions = new VersionOutcomes[capacity];
        for (int i = 0; i < STRIPES; i++)
        {
            stripes[i] = new Object();
        }
        this.evicted = evicted;
    }

    /** Remembers a prediction. Hot path: allocation-free. */
    public void remember(final VersionOutcomes version, final String requestId, final float score, final long nowMillis)
    {
        final int hash = spread(requestId.hashCode());
        final int set = hash & setMask;
        final int base = set * WAYS;
        synchronized (stripes[set & (STRIPES - 1)])
        {
            int victim = base;
            for (int slot = base; slot < base + WAYS; slot++)
            {
                if (null == requestIds[slot] || nowMillis - epochMillis[slot] > ttlMillis)
                {
                    victim = slot;
                    break;
                }
                if (epochMillis[slot] < epochMillis[victim])
                {
                    victim = slot;
                }
            }
            if (null != requestIds[victim] && nowMillis - epochMillis[victim] <= ttlMillis)
            {
                evicted.increment();
            }
            requestIds[victim] = requestId;
            hashes[victim] = hash;
            epochMillis[victim] = nowMillis;
            scores[victim] = score;
            versions[victim] = version;
        }
    }

    /**
     * Joins a label (1 positive, 0 negative) to the remembered prediction of a request and forgets the
     * prediction, so a repeated label is not counted twice.
     */
    public FeedbackResult join(final String requestId, final int label, final long nowMillis)
    {
        if (label != 0 && label != 1)
        {
            return FeedbackResult.INVALID_LABEL;
        }
        final int hash = spread(requestId.hashCode());
        final int set = hash & setMask;
        final int base = set * WAYS;
        final VersionOutcomes version;
        final float score;
        synchronized (stripes[set & (STRIPES - 1)])
        {
            final int slot = find(base, hash, requestId);
            if (slot < 0)
            {
                return FeedbackResult.UNKNOWN_REQUEST;
            }
            final boolean expired = nowMillis - epochMillis[slot] > ttlMillis;
            version = versions[slot];
            score = scores[slot];
            requestIds[slot] = null;
            versions[slot] = null;
            if (expired)
            {
                return FeedbackResult.EXPIRED;
            }
        }
        version.add(score, label);
        return FeedbackResult.JOINED;
    }

    private int find(final int base, final int hash, final String requestId)
    {
        for (int slot = base; slot < base + WAYS; slot++)
        {
            if (hashes[slot] == hash && null != requestIds[slot] && requestIds[slot].equals(requestId))
            {
                return slot;
            }
        }
        return -1;
    }

    /** String hashes of sequential ids differ in low bits only; spread them over the set index. */
    private static int spread(final int h)
    {
        final int x = h * 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}
