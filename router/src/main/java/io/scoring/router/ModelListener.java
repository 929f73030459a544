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

    /** This listener, then {@code next}, for each event. */
    default ModelListener andThen(final ModelListener next)
    {
        final ModelListener first = this;
        return new ModelListener()
        {
            @Override
            public void onVersionLoaded(final ModelConfig config, final ModelVersion version)
            {
                first.onVersionLoaded(config, version);
                next.onVersionLoaded(config, version);
            }

            @Override
            public void onVersionLoadFailed(final ModelConfig config, final String version, final String reason)
            {
                first.onVersionLoadFailed(config, version, reason);
                next.onVersionLoadFailed(config, version, reason);
            }

            @Override
            public void onVersionUnloaded(final ModelConfig config, final String version)
            {
                first.onVersionUnloaded(config, version);
                next.onVersionUnloaded(config, version);
            }

            @Override
            public void onPolicy(final ModelConfig config, final TrafficPolicy policy)
            {
                first.onPolicy(config, policy);
                next.onPolicy(config, policy);
            }
        };
    }
}
