package io.scoring.router;

import io.scoring.router.traffic.Buckets;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Where one request goes: the version that answers, its role, and the shadows that see a copy. A
 * flyweight reused request after request by one thread ({@link Model#route} fills it); it holds the
 * answering version from routing until {@link #release}.
 */
public final class Route
{
    ModelVersion version;
    Role role;
    RoutingTable table;
    CharSequence key;

    public ModelVersion version()
    {
        return version;
    }

    public Role role()
    {
        return role;
    }

    /**
     * Hands a copy of the scored request to each shadow whose share samples it: by the key's bucket
     * under the shadow's own salt (the same keys every time), at random when there is no key. Never
     * blocks; a full shadow queue drops and counts.
     */
    public int offerShadows(
        final CharSequence requestId, final float[] inputs, final float[] scores, final int rows, final long scoreNanos)
    {
        int offered = 0;
        final ShadowExecutor[] shadows = table.shadows;
        for (int i = 0; i < shadows.length; i++)
        {
            final int bucket = key.length() > 0
                ? Buckets.bucket(table.shadowSeeds[i], key)
                : ThreadLocalRandom.current().nextInt(Buckets.COUNT);
            if (bucket < table.shadowBasisPoints[i] &&
                shadows[i].offer(requestId, version.version(), inputs, scores, rows, scoreNanos))
            {
                offered++;
            }
        }
        return offered;
    }

    /** Ends the request's hold on its version. */
    public void release()
    {
        if (null != version)
        {
            version.release();
            version = null;
        }
        table = null;
        key = null;
    }
}
