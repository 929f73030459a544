package io.scoring.router;

import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading, unloading, promoting and rolling back versions while the model serves. */
class ModelLifecycleTest
{
    @Test
    void shouldRefuseToUnloadAVersionThatCarriesTraffic() throws Exception
    {
        final Model model = TestModels.model(2, TestModels.canary("1", "2", 500), ShadowListener.NONE);
        assertEquals(RouterException.Kind.CONFLICT, assertThrows(RouterException.class, () -> model.unload("1")).kind());
        assertEquals(RouterException.Kind.CONFLICT, assertThrows(RouterException.class, () -> model.unload("2")).kind());
        assertEquals(RouterException.Kind.NOT_FOUND, assertThrows(RouterException.class, () -> model.unload("7")).kind());
        model.close();
    }

    @Test
    void shouldKeepServingAsBeforeWhenALoadFails() throws Exception
    {
        final Model model = TestModels.model(1, TrafficPolicy.championOnly("1"), ShadowListener.NONE);
        final RouterException failure = assertThrows(RouterException.class,
            () -> model.load("2", (config, version) -> { throw new IllegalStateException("signature mismatch"); }));

        assertEquals(RouterException.Kind.INVALID, failure.kind());
        assertTrue(failure.getMessage().contains("signature mismatch"));
        assertEquals(VersionStatus.State.FAILED, model.versionStatuses().get(1).state());
        assertEquals("1", model.champion().version());
        assertEquals(List.of("1"), List.copyOf(model.versions().keySet()));
        assertThrows(RouterException.class, () -> model.setPolicy(TestModels.canary("1", "2", 100)),
            "a failed version cannot take traffic");

        model.load("2", (config, version) -> TestModels.version(version));
        assertEquals(VersionStatus.State.READY, model.versionStatuses().get(1).state(), "a retried load succeeds");
        model.close();
    }

    @Test
    void shouldPromoteTheCanaryAndRollBackToThePreviousChampion() throws Exception
    {
        final Model model = TestModels.model(2, TestModels.canary("1", "2", 1_000), ShadowListener.NONE);
        model.promote();
        assertEquals("2", model.policy().champion());
        assertEquals(null, model.policy().canary());
        assertEquals(List.of("1"), model.championHistory());
        assertEquals(RouterException.Kind.CONFLICT, assertThrows(RouterException.class, model::promote).kind());

        model.rollback();
        assertEquals("1", model.policy().champion());
        assertEquals(RouterException.Kind.CONFLICT, assertThrows(RouterException.class, model::rollback).kind());
        model.close();
    }

    @Test
    void shouldCloseAnUnloadedVersionOnlyAfterTheRequestsHoldingItFinish() throws Exception
    {
        final Model model = TestModels.model(2, TrafficPolicy.championOnly("1"), ShadowListener.NONE);
        final Route inFlight = new Route();
        assertTrue(model.route("k", "2", inFlight));
        final TestModels.ConstantScorer scorer = (TestModels.ConstantScorer)inFlight.version().scorer();

        final CompletableFuture<Void> unload = CompletableFuture.runAsync(() ->
        {
            try
            {
                model.unload("2");
            }
            catch (final RouterException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        Thread.sleep(200);
        assertFalse(unload.isDone(), "the unload waits for the request in flight");
        assertFalse(scorer.closed);
        assertFalse(model.route("k", "2", new Route()), "new requests no longer reach the leaving version");

        inFlight.release();
        unload.get(5, TimeUnit.SECONDS);
        assertTrue(scorer.closed);
        model.close();
    }
}
