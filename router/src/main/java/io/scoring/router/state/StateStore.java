package io.scoring.router.state;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the router keeps what must survive a restart: per model, the loaded versions, the traffic
 * policy and the champion history, as one JSON document:
 *
 * <pre>
 * {"models": {"credit-risk": {"versions": ["1", "2"],
 *                             "policy": {"champion": "1", "canary": {"version": "2", "percent": 10}, "shadows": []},
 *                             "champion_history": []}}}
 * </pre>
 *
 * Beside it, by name: documents of their own (a model's rollout in progress), leases that make one
 * replica the holder of a name (the driver of a model's rollouts) with a fencing token each document
 * write is checked against, and parts that each replica contributes to a figure of the fleet (a
 * rollout step's request windows). A store of one process (a file, or none) grants every lease and
 * keeps no parts: there is nobody to share them with.
 */
public interface StateStore
{
    /** Keeps nothing: every start begins from the model configs. */
    StateStore NONE = new StateStore()
    {
        @Override
        public Optional<ObjectNode> load()
        {
            return Optional.empty();
        }

        @Override
        public void save(final ObjectNode state)
        {
        }
    };

    Optional<ObjectNode> load() throws IOException;

    /** Durable when it returns: a crash right after leaves either the old or the new state, whole. */
    void save(ObjectNode state) throws IOException;

    /**
     * Saves the state as {@link #save} does, unless {@code guard}'s fence is no longer the newest of its
     * lease: then nothing is written and it returns false. The traffic changes a rollout's driver makes
     * go through here, so a driver that lost its lease (paused, partitioned) cannot steer after its
     * successor took over. A store of one process has no stale fences.
     */
    default boolean save(final ObjectNode state, final Lease guard) throws IOException
    {
        save(state);
        return true;
    }

    /**
     * Hears states saved elsewhere (other replicas sharing this store); a local store has none. The
     * listener runs on the store's own thread.
     */
    default void onChange(final java.util.function.Consumer<ObjectNode> listener)
    {
    }

    /** Do other processes share this store (so leases and parts mean something)? */
    default boolean sharedByReplicas()
    {
        return false;
    }

    /**
     * A replica's hold on a name until it lapses.
     *
     * @param holder who holds it (shown to operators)
     * @param fence  incremented with every acquisition of the name: a document write carrying an older
     *               one is refused, so a holder that lost the lease (paused, partitioned) cannot write
     */
    record Lease(String name, String holder, long fence)
    {
    }

    /** The document saved under {@code name}, or empty. */
    default Optional<ObjectNode> loadDocument(final String name) throws IOException
    {
        return Optional.empty();
    }

    /** The fence of a document no lease guards: its write always goes through. */
    long NO_FENCE = -1;

    /**
     * Saves a document whole (durable when it returns, as {@link #save}), unless {@code fence} is no
     * longer the newest of the lease on the same name: then nothing is written and it returns false.
     */
    default boolean saveDocument(final String name, final ObjectNode document, final long fence) throws IOException
    {
        return true;
    }

    /** Takes the lease on {@code name} for {@code ttl}, unless another holds it (empty then). */
    default Optional<Lease> tryLease(final String name, final String holder, final Duration ttl) throws IOException
    {
        return Optional.of(new Lease(name, holder, 0));
    }

    /** Extends a lease still held; false when it lapsed or another took it since. */
    default boolean renew(final Lease lease, final Duration ttl) throws IOException
    {
        return true;
    }

    /** Gives a lease up at once (a clean stop), so another may take it without waiting for it to lapse. */
    default void release(final Lease lease) throws IOException
    {
    }

    /** Who holds the lease on {@code name} now, or empty. */
    default Optional<String> leaseHolder(final String name) throws IOException
    {
        return Optional.empty();
    }

    /** Sets this replica's part of the figure {@code name}; the figure lapses {@code ttl} after its last part. */
    default void publishPart(final String name, final String part, final String value, final Duration ttl) throws IOException
    {
    }

    /** Every replica's part of the figure {@code name}, by part. */
    default Map<String, String> parts(final String name) throws IOException
    {
        return Map.of();
    }
}
