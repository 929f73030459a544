package io.scoring.gateway.rollout;

import io.scoring.hashing.Fnv64;
import io.scoring.router.ModelListener;
import io.scoring.router.ModelVersion;
import io.scoring.router.Role;
import io.scoring.router.model.ModelConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the request path leaves for the rollout judge and the replay gate, per version: a
 * {@link RequestWindow} for its requests as champion and one as canary, and its model's
 * {@link ReplayRows} (shared by the model's versions). Attached to the version when it loads, so the
 * pipeline reaches it with a field load; recording is wait-free and allocation-free, and nothing is
 * judged on the request path.
 */
public final class RolloutSamples
{
    static final ModelVersion.AttachmentKey<RolloutSamples> KEY =
        new ModelVersion.AttachmentKey<>("rollout samples", RolloutSamples.class);

    private final RequestWindow champion;
    private final RequestWindow canary;
    private final ReplayRows replay;

    private RolloutSamples(final int windowRequests, final ReplayRows replay)
    {
        this.champion = new RequestWindow(windowRequests);
        this.canary = new RequestWindow(windowRequests);
        this.replay = replay;
    }

    /** The version's samples, or null (a version loaded without the gateway's listener). Allocation-free. */
    public static RolloutSamples of(final ModelVersion version)
    {
        return version.attachment(KEY);
    }

    /** One answered request: its total latency, first score and entity, or that the model failed it. */
    public void record(
        final Role role, final boolean modelFailed, final long totalNanos, final float score, final CharSequence entityKey)
    {
        final RequestWindow window = window(role);
        if (null != window)
        {
            window.record(modelFailed, totalNanos, score, entity(entityKey));
        }
    }

    /** A 64-bit hash of the key (FNV-1a, fmix64); never {@link RequestWindow#NO_ENTITY} for a key. */
    static long entity(final CharSequence entityKey)
    {
        if (entityKey.length() == 0)
        {
            return RequestWindow.NO_ENTITY;
        }
        final long hash = Fnv64.fmix64(Fnv64.mixBytes(Fnv64.OFFSET_BASIS, entityKey));
        return hash == RequestWindow.NO_ENTITY ? 1L : hash;
    }

    /** A sampled request's first row, for the replay gate. */
    public void rememberRow(final float[] input)
    {
        replay.record(input);
    }

    /** The window of a live role; null for a pinned request (outside the traffic policy). */
    RequestWindow window(final Role role)
    {
        return switch (role)
        {
            case CHAMPION -> champion;
            case CANARY -> canary;
            case PINNED -> null;
        };
    }

    ReplayRows replay()
    {
        return replay;
    }

    /** Attaches a version's samples when it loads; the model's replay rows are created with its first version. */
    static final class Attacher implements ModelListener
    {
        private final int windowRequests;
        private final int replayRows;
        private final Map<String, ReplayRows> replayByModel = new ConcurrentHashMap<>();

        Attacher(final int windowRequests, final int replayRows)
        {
            this.windowRequests = windowRequests;
            this.replayRows = replayRows;
        }

        @Override
        public void onVersionLoaded(final ModelConfig config, final ModelVersion version)
        {
            final ReplayRows rows = replayByModel.computeIfAbsent(config.name(),
                (name) -> new ReplayRows(replayRows, config.featureCount()));
            version.attach(KEY, new RolloutSamples(windowRequests, rows));
        }
    }
}
