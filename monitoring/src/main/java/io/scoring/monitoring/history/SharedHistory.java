package io.scoring.monitoring.history;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The evaluation history every replica of a fleet appends to and reads from (Redis when the gateway shares
 * its state there), besides the replica's own files: any replica, one restarted on an empty state dir
 * included, answers the fleet's history.
 *
 * <p>Threading: {@link #append} on the monitoring thread, and it must not wait on the store (the returned
 * stage completes on the store's thread); {@link #query} on any thread.
 */
public interface SharedHistory
{
    /** Sends one version's evaluation (non-finite values left out); completes exceptionally when the store fails. */
    CompletionStage<?> append(long timeMillis, String model, String version, Map<String, Double> metrics);

    /**
     * One metric of a model (one version, or all with {@code version} null) between two instants, inclusive,
     * oldest first, at most {@code maxPoints} points.
     */
    HistoryReport query(String model, String version, String metric, long from, long to, int maxPoints)
        throws IOException;
}
