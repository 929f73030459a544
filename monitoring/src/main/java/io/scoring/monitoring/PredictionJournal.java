package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.scoring.hashing.Fnv64;
import io.scoring.monitoring.feedback.FeedbackResult;

/**
 * Recent predictions by request id, so a label that arrives later can be joined to the score it judges.
 *
 * <p>Design: a set-associative table (like a CPU cache). A request id hashes to one set of
 * {@link #WAYS} slots; {@link #remember} takes a free or expired slot of the set, or else evicts the
 * set's oldest prediction (counted in {@code scoring_feedback_predictions_evicted_total}). Lookups
 * search only that set. So the table never grows past its capacity, needs no resizing, tombstones or
 * background sweep, and what it forgets first is (per set) the oldest. Slots are parallel primitive
 * arrays. A slot keeps a 128-bit hash of the request id, not the id: the id may be a view over the
 * request's bytes that the next request overwrites, and copying it would allocate. Two distinct ids
 * among the 2^18 remembered share a 128-bit hash with probability about 2^-92.
 *
 * <p>Threading: any number of threads. Sets are guarded by {@link #STRIPES} striped monitors, so two
 * event loops collide only when their request ids land on the same stripe. {@link #remember} is on the
 * hot path: a hash, an uncontended monitor, at most eight compares; it never allocates or blocks on I/O.
 */
final class PredictionJournal
{
    /** Slots per set: eight makes an eviction of a still-useful prediction rare at 90 % occupancy. */
    static final int WAYS = 8;
    /** Lock stripes: a power of two well above the event-loop count. */
    private static final int STRIPES = 64;

    private final long ttlMillis;
    private final int setMask;
    private final long[] idHashHigh;
    private final long[] idHashLow;
    private final boolean[] occupied;
    private final long[] epochMillis;
    private final float[] scores;
    private final long[] segmentGroups;
    private final VersionOutcomes[] versions;
    private final Object[] stripes = new Object[STRIPES];
    private final Counter evicted;

    PredictionJournal(final Monitoring.Context config, final Counter evicted)
    {
        this.ttlMillis = config.feedbackTtlMillis();
        final int capacity = config.feedbackJournalSize();
        this.setMask = capacity / WAYS - 1;
        this.idHashHigh = new long[capacity];
        this.idHashLow = new long[capacity];
        this.occupied = new boolean[capacity];
        this.epochMillis = new long[capacity];
        this.scores = new float[capacity];
        this.segmentGroups = new long[capacity];
        this.versions = new VersionOutcomes[capacity];
        for (int i = 0; i < STRIPES; i++)
        {
            stripes[i] = new Object();
        }
        this.evicted = evicted;
    }

    /** Remembers a prediction and its segment groups ({@link SegmentIndex#pack}). Hot path: allocation-free. */
    void remember(
        final VersionOutcomes version,
        final CharSequence requestId,
        final float score,
        final long groups,
        final long nowMillis)
    {
        final long high = hashHigh(requestId);
        final long low = hashLow(requestId);
        final int set = (int)high & setMask;
        final int base = set * WAYS;
        synchronized (stripes[set & (STRIPES - 1)])
        {
            int victim = base;
            for (int slot = base; slot < base + WAYS; slot++)
            {
                if (!occupied[slot] || nowMillis - epochMillis[slot] > ttlMillis)
                {
                    victim = slot;
                    break;
                }
                if (epochMillis[slot] < epochMillis[victim])
                {
                    victim = slot;
                }
            }
            if (occupied[victim] && nowMillis - epochMillis[victim] <= ttlMillis)
            {
                evicted.increment();
            }
            occupied[victim] = true;
            idHashHigh[victim] = high;
            idHashLow[victim] = low;
            epochMillis[victim] = nowMillis;
            scores[victim] = score;
            segmentGroups[victim] = groups;
            versions[victim] = version;
        }
    }

    /**
     * Joins a label (1 positive, 0 negative) to the remembered prediction of a request and forgets the
     * prediction, so a repeated label is not counted twice.
     */
    FeedbackResult join(final CharSequence requestId, final int label, final long nowMillis)
    {
        if (label != 0 && label != 1)
        {
            return FeedbackResult.INVALID_LABEL;
        }
        final long high = hashHigh(requestId);
        final long low = hashLow(requestId);
        final int set = (int)high & setMask;
        final int base = set * WAYS;
        final VersionOutcomes version;
        final float score;
        final long groups;
        synchronized (stripes[set & (STRIPES - 1)])
        {
            final int slot = find(base, high, low);
            if (slot < 0)
            {
                return FeedbackResult.UNKNOWN_REQUEST;
            }
            final boolean expired = nowMillis - epochMillis[slot] > ttlMillis;
            version = versions[slot];
            score = scores[slot];
            groups = segmentGroups[slot];
            occupied[slot] = false;
            versions[slot] = null;
            if (expired)
            {
                return FeedbackResult.EXPIRED;
            }
        }
        version.add(score, label, groups);
        return FeedbackResult.JOINED;
    }

    private int find(final int base, final long high, final long low)
    {
        for (int slot = base; slot < base + WAYS; slot++)
        {
            if (occupied[slot] && idHashHigh[slot] == high && idHashLow[slot] == low)
            {
                return slot;
            }
        }
        return -1;
    }

    /** FNV-1a over the characters, finished with fmix64 so every bit depends on every input bit. */
    static long hashHigh(final CharSequence id)
    {
        return Fnv64.fmix64(Fnv64.mix(Fnv64.OFFSET_BASIS, id) ^ id.length());
    }

    /** An independent polynomial hash of the characters (another multiplier, another seed), also fmix64'd. */
    static long hashLow(final CharSequence id)
    {
        long h = 0x6a09e667f3bcc909L;
        for (int i = 0, length = id.length(); i < length; i++)
        {
            h = (h + id.charAt(i)) * 0x9E3779B97F4A7C15L;
        }
        return Fnv64.fmix64(h + id.length());
    }
}
