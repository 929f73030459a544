package io.scoring.features.redis;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a dead or hung Redis from costing every request its deadline.
 *
 * <pre>
 *             N consecutive failures                 cool-down passed: one caller probes
 *   CLOSED ---------------------------> OPEN ------------------------------------------> HALF_OPEN
 *     ^                                   ^                                                  |
 *     |                                   +------------------- probe failed -----------------+
 *     +------------------------------------------------------- probe succeeded --------------+
 * </pre>
 * Open and half-open, {@link #tryAcquire} refuses at once, and the lookup answers unavailable without touching
 * Redis; half-open lets through exactly one probe. Any success closes the breaker.
 *
 * <p>Threading: any number of callers; lock-free, allocation-free. Times are {@link System#nanoTime()}.
 */
final class CircuitBreaker
{
    static final int CLOSED = 0;
    static final int OPEN = 1;
    static final int HALF_OPEN = 2;

    private final int failureThreshold;
    private final long coolDownNs;
    private final AtomicInteger state = new AtomicInteger(CLOSED);
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong openedAtNs = new AtomicLong();

    CircuitBreaker(final int failureThreshold, final long coolDownNs)
    {
        this.failureThreshold = failureThreshold;
        this.coolDownNs = coolDownNs;
    }

    /** Whether the caller may go to Redis now; if true it must report {@link #onSuccess} or {@link #onFailure}. */
    boolean tryAcquire(final long nowNs)
    {
        final int current = state.get();
        if (current == CLOSED)
        {
            return true;
        }

        return current == OPEN && nowNs - openedAtNs.get() >= coolDownNs && state.compareAndSet(OPEN, HALF_OPEN);
    }

    void onSuccess()
    {
        consecutiveFailures.set(0);
        state.set(CLOSED);
    }

    void onFailure(final long nowNs)
    {
        if (consecutiveFailures.incrementAndGet() >= failureThreshold || state.get() == HALF_OPEN)
        {
            openedAtNs.set(nowNs);
            state.set(OPEN);
        }
    }

    /**
     * The caller stopped waiting early (its own deadline) and learnt nothing about Redis: counts as neither. A
     * half-open breaker goes back to open with its cool-down already passed, so the next caller probes.
     */
    void onInconclusive()
    {
        state.compareAndSet(HALF_OPEN, OPEN);
    }

    /** {@link #CLOSED}, {@link #OPEN} or {@link #HALF_OPEN}. */
    int state()
    {
        return state.get();
    }
}
