package io.scoring.router.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisStateStoreTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An admin change on one replica while it is catching up with another replica's changes: both use
     * the replica's one Redis connection, and a catch-up read slipped between save's MULTI and EXEC
     * used to fail the save (the admin call answered 500).
     */
    @Test
    void shouldSaveEveryChangeWhileCatchingUpWithAnotherReplicasChanges() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort();
             RedisStateStore mine = new RedisStateStore(redis.uri(), "race");
             RedisStateStore theirs = new RedisStateStore(redis.uri(), "race"))
        {
            final List<ObjectNode> applied = new CopyOnWriteArrayList<>();
            mine.onChange(applied::add); // each of their saves makes mine catch up on its own thread
            final ExecutorService writers = Executors.newFixedThreadPool(2);
            try
            {
                final Future<?> theirChanges = writers.submit(() -> saveMany(theirs, "theirs"));
                final Future<?> myChanges = writers.submit(() -> saveMany(mine, "mine"));
                myChanges.get(60, TimeUnit.SECONDS);
                theirChanges.get(60, TimeUnit.SECONDS);
            }
            finally
            {
                writers.shutdownNow();
            }

            assertEquals(499, mine.load().orElseThrow().path("n").asInt(), "the last save of either is stored");
            assertTrue(!applied.isEmpty(), "mine caught up with theirs while saving its own");
            assertTrue(applied.stream().allMatch((state) -> "theirs".equals(state.path("by").asText())),
                "a replica is only told of other replicas' changes");
        }
    }

    private static Void saveMany(final RedisStateStore store, final String by) throws Exception
    {
        for (int n = 0; n < 500; n++)
        {
            store.save(routerState(by).put("n", n));
        }
        return null;
    }

    /**
     * Two replicas want to drive the same rollout: one gets the lease, the other not until the first
     * lets it go or stops renewing it; each acquisition raises the fence, and a write with an older
     * fence is refused, so the first holder, once replaced, cannot overwrite its successor's state nor
     * steer the traffic (the router state saved under the lease).
     */
    @Test
    void shouldLeaseANameToOneReplicaAtATimeAndRefuseAStaleHoldersWrite() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort();
             RedisStateStore mine = new RedisStateStore(redis.uri(), "lease");
             RedisStateStore theirs = new RedisStateStore(redis.uri(), "lease"))
        {
            final java.time.Duration ttl = java.time.Duration.ofMillis(300);
            final StateStore.Lease first = mine.tryLease("rollout-m", "mine", ttl).orElseThrow();
            assertTrue(theirs.tryLease("rollout-m", "theirs", ttl).isEmpty(), "held by mine");
            assertEquals("mine", theirs.leaseHolder("rollout-m").orElseThrow());
            assertTrue(mine.saveDocument("rollout-m", JSON.createObjectNode().put("by", "mine"), first.fence()));
            assertTrue(mine.renew(first, ttl));

            StateStore.Lease second = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (null == second && System.nanoTime() < deadline) // mine stops renewing: the lease lapses
            {
                second = theirs.tryLease("rollout-m", "theirs", ttl).orElse(null);
                Thread.sleep(20);
            }
            assertTrue(null != second, "the lapsed lease is taken");
            assertEquals(first.fence() + 1, second.fence());
            assertTrue(!mine.renew(first, ttl), "a lapsed lease is not renewed");
            assertTrue(!mine.saveDocument("rollout-m", JSON.createObjectNode().put("by", "mine, stale"), first.fence()),
                "the stale holder's write is refused");
            assertTrue(theirs.saveDocument("rollout-m", JSON.createObjectNode().put("by", "theirs"), second.fence()));
            assertEquals("theirs", mine.loadDocument("rollout-m").orElseThrow().path("by").asText());
            // the traffic it would steer: the router state, guarded by the same lease
            assertTrue(theirs.save(routerState("theirs"), second));
            assertTrue(!mine.save(routerState("mine, stale"), first), "the stale holder cannot steer");
            assertEquals("theirs", theirs.load().orElseThrow().path("by").asText());

            mine.release(first); // not the holder: nothing happens
            assertEquals("theirs", mine.leaseHolder("rollout-m").orElseThrow());
            theirs.release(second);
            assertTrue(mine.leaseHolder("rollout-m").isEmpty());
            assertEquals(second.fence() + 1, mine.tryLease("rollout-m", "mine", ttl).orElseThrow().fence());
        }
    }

    private static ObjectNode routerState(final String by)
    {
        final ObjectNode state = JSON.createObjectNode().put("by", by);
        state.putObject("models");
        return state;
    }

    /** Each replica's part of a figure is kept beside the others', and read as a whole. */
    @Test
    void shouldKeepEachReplicasPartOfAFigure() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort();
             RedisStateStore mine = new RedisStateStore(redis.uri(), "parts");
             RedisStateStore theirs = new RedisStateStore(redis.uri(), "parts"))
        {
            final java.time.Duration ttl = java.time.Duration.ofMinutes(1);
            mine.publishPart("window", "mine", "1", ttl);
            theirs.publishPart("window", "theirs", "2", ttl);
            mine.publishPart("window", "mine", "3", ttl);
            assertEquals(java.util.Map.of("mine", "3", "theirs", "2"), theirs.parts("window"));
        }
    }
}
