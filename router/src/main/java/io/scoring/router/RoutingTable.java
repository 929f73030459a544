package io.scoring.router;

import io.scoring.router.model.NameIndex;
import io.scoring.router.traffic.Buckets;
import io.scoring.router.traffic.TrafficPolicy;

import java.util.Map;

/**
 * One consistent view of a model for the request path: the ready versions, the policy, and the
 * versions and shadows it resolves to. Immutable; a change publishes a new table, so a request sees
 * one policy from start to end.
 */
final class RoutingTable
{
    final TrafficPolicy policy;
    final Map<String, ModelVersion> versions;
    /** The same versions, looked up by a pinned version's characters without a String. */
    final NameIndex<ModelVersion> versionsByName;
    final ModelVersion champion;
    final ModelVersion canary;
    final int canaryBasisPoints;
    final long keySeed;
    final ShadowExecutor[] shadows;
    final int[] shadowBasisPoints;
    final long[] shadowSeeds;

    RoutingTable(
        final String model,
        final TrafficPolicy policy,
        final Map<String, ModelVersion> versions,
        final ShadowExecutor[] shadows)
    {
        this.policy = policy;
        this.versions = Map.copyOf(versions);
        this.versionsByName = NameIndex.of(versions);
        this.champion = versions.get(policy.champion());
        this.canary = null == policy.canary() ? null : versions.get(policy.canary().version());
        this.canaryBasisPoints = null == policy.canary() ? 0 : policy.canary().basisPoints();
        this.keySeed = Buckets.seed(model);
        this.shadows = shadows;
        this.shadowBasisPoints = new int[shadows.length];
        this.shadowSeeds = new long[shadows.length];
        for (int i = 0; i < shadows.length; i++)
        {
            shadowBasisPoints[i] = policy.shadows().get(i).basisPoints();
            shadowSeeds[i] = Buckets.seed(model + "\u0000shadow\u0000" + shadows[i].version());
        }
    }
}
