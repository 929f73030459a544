package io.scoring.features.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisStoreSettingsTest
{
    private static RedisStoreSettings.Context minimal()
    {
        return new RedisStoreSettings.Context().project("credit").joinKey("applicant_id").featureView("applicants");
    }

    @Test
    void shouldFillTheDefaults()
    {
        final RedisStoreSettings settings = minimal().conclude();
        assertEquals(RedisStoreSettings.URI_DEFAULT, settings.uri());
        assertEquals(Duration.ofMillis(20), settings.deadline());
        assertEquals(RedisStoreSettings.EntityKeyType.STRING, settings.entityKeyType());
        assertEquals(0, settings.nearCacheSize());
        assertEquals(Duration.ZERO, settings.maxAge("applicants"));
    }

    @Test
    void shouldPlaceAFeatureByItsOwnReferenceElseInTheDefaultView()
    {
        final RedisStoreSettings settings = minimal().feature("age", "demographics:age_years").conclude();
        assertEquals(new RedisStoreSettings.FeatureRef("demographics", "age_years"), settings.featureRef("age"));
        assertEquals(new RedisStoreSettings.FeatureRef("applicants", "job"), settings.featureRef("job"));

        final RedisStoreSettings closed = new RedisStoreSettings.Context().project("p").joinKey("id")
            .feature("age", "demographics:age_years").conclude();
        assertNull(closed.featureRef("job"));
    }

    @Test
    void shouldRejectWhatCannotWorkAndSayWhich()
    {
        assertRejected("project", (ctx) -> ctx.project(""));
        assertRejected("joinKey", (ctx) -> ctx.joinKey(null));
        assertRejected("ASCII", (ctx) -> ctx.joinKey("clé"));
        assertRejected("uri", (ctx) -> ctx.uri("http://nope"));
        assertRejected("featureView or feature", (ctx) -> ctx.featureView(null));
        assertRejected("feature 'age'", (ctx) -> ctx.feature("age", "no-colon"));
        assertRejected("feature 'age'", (ctx) -> ctx.feature("age", ":age"));
        assertRejected("deadline", (ctx) -> ctx.deadline(Duration.ZERO));
        assertRejected("maxAge", (ctx) -> ctx.maxAge("applicants", Duration.ofSeconds(-1)));
        assertRejected("breakerFailureThreshold", (ctx) -> ctx.breakerFailureThreshold(0));
        assertRejected("nearCacheSize", (ctx) -> ctx.nearCacheSize(-1));
        assertRejected("categories", (ctx) -> ctx.categories("job", Map.of()));
        assertRejected("code", (ctx) -> ctx.categories("job", Map.of("a", -1)));
    }

    private static void assertRejected(final String mention, final UnaryOperator<RedisStoreSettings.Context> change)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> change.apply(minimal()).conclude());
        assertTrue(ex.getMessage().contains(mention), ex.getMessage());
    }
}
