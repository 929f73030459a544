package io.scoring.router;

import io.scoring.router.model.ModelConfig;
import io.scoring.router.traffic.TrafficPolicy;

/**
 * Hears a model's lifecycle (monitoring resolves its meters here, before a version takes traffic).
 * Called on the thread doing the change, never on the request path.
 */
public interface ModelListener
{
    ModelListener NONE = new ModelListener()
    {
    };

    /** Before the version can take traffic. */
    default void onVersionLoaded(final ModelConfig config, final ModelVersion version)
    {
    }

    default void onVersionLoadFailed(final ModelConfig config, final String version, final String reason)
    {
    }

    /** After the version's runtime is closed. */
    default void onVersionUnloaded(final ModelConfig config, final String version)
    {
    }

    /** After the policy is in force (also once at start). */
    default void onPolicy(final ModelConfig config, final TrafficPolicy policy)
    {
    }
}
