package io.scoring.router.state;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
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
     * Hears states saved elsewhere (other replicas sharing this store); a local store has none. The
     * listener runs on the store's own thread.
     */
    default void onChange(final java.util.function.Consumer<ObjectNode> listener)
    {
    }
}
