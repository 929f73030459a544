package io.scoring.features.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisFeatureStoreContextTest
{
    private static RedisFeatureStore.Context minimal()
    {
        return new RedisFeatureStore.Context().project("credit").joinKey("applicant_id").featureView("applicants");
    }

    @Test
    void shouldStartFromTheDefaults()
    {
        final RedisFeatureStore.Context ctx = minimal().conclude();
        assertEquals(RedisFeatureStore.Context.URI_DEFAULT, ctx.uri());
        assertEquals(Duration.ofMillis(20), ctx.deadline());
        assertEquals(RedisFeatureStore.EntityKeyType.STRING, ctx.entityKeyType());
        assertEquals(0, ctx.nearCacheSize());
        assertEquals(Duration.ZERO, ctx.maxAge("applicants"), "no max age: any age");
    }

    @Test
    void shouldKeepAMaxAgePerFeatureView()
    {
        final RedisFeatureStore.Context ctx = minimal().maxAge("applicants", Duration.ofDays(1))
            .maxAge("bureau", Duration.ofMinutes(5)).conclude();
        assertEquals(Duration.ofDays(1), ctx.maxAge("applicants"));
        assertEquals(Duration.ofMinutes(5), ctx.maxAge("bureau"));
        assertEquals(Duration.ZERO, ctx.maxAge("other"));
    }

    @Test
    void shouldNeedNoDefaultViewWhenEveryFeatureNamesItsOwn()
    {
        assertNull(new RedisFeatureStore.Context().project("p").joinKey("id").conclude().featureView());
    }

    @Test
    void shouldConcludeOnceAndThenRefuseChanges()
    {
        final RedisFeatureStore.Context ctx = minimal().conclude();
        assertSame(ctx, ctx.conclude());
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ctx.deadline(Duration.ofSeconds(1)));
        assertTrue(ex.getMessage().contains("concluded"), ex.getMessage());
    }

    @Test
    void shouldRejectWhatCannotWorkAndSayWhich()
    {
        assertRejected("project", (ctx) -> ctx.project(""));
        assertRejected("joinKey", (ctx) -> ctx.joinKey(null));
        assertRejected("ASCII", (ctx) -> ctx.joinKey("clé"));
        assertRejected("uri", (ctx) -> ctx.uri("http://nope"));
        assertRejected("featureView", (ctx) -> ctx.featureView("a:b"));
        assertRejected("deadline", (ctx) -> ctx.deadline(Duration.ZERO));
        assertRejected("maxAge of 'applicants'", (ctx) -> ctx.maxAge("applicants", Duration.ofSeconds(-1)));
        assertRejected("maxAge: 'a:b'", (ctx) -> ctx.maxAge("a:b", Duration.ofSeconds(1)));
        assertRejected("breakerFailureThreshold", (ctx) -> ctx.breakerFailureThreshold(0));
        assertRejected("nearCacheSize", (ctx) -> ctx.nearCacheSize(-1));
        assertRejected("requestQueueSize", (ctx) -> ctx.requestQueueSize(0));
    }

    private static void assertRejected(final String mention, final UnaryOperator<RedisFeatureStore.Context> change)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> change.apply(minimal()).conclude());
        assertTrue(ex.getMessage().contains(mention), ex.getMessage());
    }
}
