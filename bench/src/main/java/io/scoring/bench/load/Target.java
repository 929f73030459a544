package io.scoring.bench.load;

/**
 * A client of one protocol that the load drivers send through.
 *
 * <p>Non-blocking: {@link #send} returns at once, whatever the server does; the answer (or the
 * failure) reaches the {@link Completion} exactly once, on a client I/O thread. Requests are the
 * workload's, precomputed and addressed by index, so sending builds nothing.
 */
interface Target extends AutoCloseable
{
    /** Sends request {@code index % requestCount()}, which was meant to go at {@code intendedNanos}. */
    void send(int index, long intendedNanos, Completion completion);

    /**
     * Sends the first {@code count} requests of {@code indices}, due at {@code intendedNanos}, with one
     * hand-off to the client's I/O thread rather than one per request: for a sender on its own thread
     * (the open loop), waking an event loop per request would cost more CPU than the request itself.
     * The arrays are the callee's from here on.
     */
    void send(int[] indices, long[] intendedNanos, int count, Completion completion);

    int requestCount();

    /** The size of one encoded request message or body, for the report. */
    int requestBytes();

    @Override
    void close();

    /** Told once per request, on a client I/O thread. */
    interface Completion
    {
        /**
         * @param intendedNanos when the schedule meant the request to go ({@link System#nanoTime()})
         * @param sentNanos     when it was handed to a connection (after any wait for a free one)
         * @param error         null when the call succeeded; else the status, e.g. {@code UNAVAILABLE},
         *                      {@code HTTP 503}, {@code CONNECTION_CLOSED}
         * @param responseBytes the size of the answer's message or body, 0 on error
         */
        void completed(long intendedNanos, long sentNanos, String error, int responseBytes);
    }
}
