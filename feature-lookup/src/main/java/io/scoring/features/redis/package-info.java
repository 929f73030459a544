/**
 * The Redis feature store: reads (and, for demos and tests, writes) Feast's Redis online-store layout.
 *
 * <p>Public: {@link io.scoring.features.redis.RedisFeatureStore} (the store),
 * {@link io.scoring.features.redis.RedisFeatureStore.Context} (how to reach and read it) and
 * {@link io.scoring.features.redis.FeastRedisLoader} (snapshot into Redis). The rest is package-private: the
 * layout ({@code FeastKeys}, {@code FeastValues}, {@code Murmur3}), the pipelined read ({@code ReadPlan},
 * {@code PendingRead}), the {@code CircuitBreaker} and the {@code NearCache}.
 */
package io.scoring.features.redis;
