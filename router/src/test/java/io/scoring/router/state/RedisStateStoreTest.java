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
            final ObjectNode state = JSON.createObjectNode().put("by", by).put("n", n);
            state.putObject("models");
            store.save(state);
        }
        return null;
    }
}
