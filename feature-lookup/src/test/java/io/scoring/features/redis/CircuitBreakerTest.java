package io.scoring.features.redis;

import org.junit.jupiter.api.Test;

import static io.scoring.features.redis.CircuitBreaker.CLOSED;
import static io.scoring.features.redis.CircuitBreaker.HALF_OPEN;
import static io.scoring.features.redis.CircuitBreaker.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest
{
    private static final long COOL_DOWN = 1_000;

    private final CircuitBreaker breaker = new CircuitBreaker(3, COOL_DOWN);

    @Test
    void shouldOpenAfterTheThresholdOfConsecutiveFailuresOnly()
    {
        breaker.onFailure(0);
        breaker.onFailure(0);
        breaker.onSuccess();
        breaker.onFailure(0);
        breaker.onFailure(0);
        assertEquals(CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire(0));

        breaker.onFailure(10);
        assertEquals(OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(10 + COOL_DOWN - 1));
    }

    @Test
    void shouldLetExactlyOneProbeThroughAfterTheCoolDown()
    {
        open(100);
        assertTrue(breaker.tryAcquire(100 + COOL_DOWN));
        assertEquals(HALF_OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(100 + COOL_DOWN), "a second caller while the probe is out");
    }

    @Test
    void shouldCloseWhenTheProbeSucceeds()
    {
        open(100);
        assertTrue(breaker.tryAcquire(100 + COOL_DOWN));
        breaker.onSuccess();
        assertEquals(CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire(100 + COOL_DOWN));
    }

    @Test
    void shouldReopenForAnotherCoolDownWhenTheProbeFails()
    {
        open(100);
        final long probeAt = 100 + COOL_DOWN;
        assertTrue(breaker.tryAcquire(probeAt));
        breaker.onFailure(probeAt + 5);
        assertEquals(OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(probeAt + COOL_DOWN));
        assertTrue(breaker.tryAcquire(probeAt + 5 + COOL_DOWN));
    }

    private void open(final long nowNs)
    {
        for (int i = 0; i < 3; i++)
        {
            breaker.onFailure(nowNs);
        }
        assertEquals(OPEN, breaker.state());
    }
}
