package io.scoring.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A traffic policy in JSON: what it accepts, and the reason it gives for what it refuses. */
class TrafficPolicyTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TrafficPolicy parse(final String json) throws Exception
    {
        return TrafficPolicy.parse(JSON.readTree(json));
    }

    @Test
    void shouldReadPercentagesWithTwoDecimalsAsHundredths() throws Exception
    {
        final TrafficPolicy policy = parse(
            "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":12.34},\"shadows\":[{\"version\":\"3\",\"percent\":100}]}");
        assertEquals(1_234, policy.canary().basisPoints());
        assertEquals(10_000, policy.shadows().get(0).basisPoints());
        assertEquals(policy, TrafficPolicy.parse(policy.toJson()), "round trip");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"canary\":{\"version\":\"2\",\"percent\":5}}                              | 'champion' is required",
        "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":101}}          | canary.percent: 101 is out of range",
        "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":-1}}           | canary.percent: -1 is out of range",
        "{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":12.345}}       | more than two decimals",
        "{\"champion\":\"1\",\"canary\":{\"version\":\"2\"}}                          | canary.percent: required",
        "{\"champion\":\"1\",\"canary\":{\"version\":\"1\",\"percent\":5}}            | already the champion",
        "{\"champion\":\"1\",\"shadows\":[{\"version\":\"1\",\"percent\":5}]}          | a shadow cannot be the champion",
        "{\"champion\":\"1\",\"shadows\":[{\"version\":\"2\",\"percent\":5},{\"version\":\"2\",\"percent\":5}]} | listed twice",
        "{\"champion\":\"1\",\"weight\":5}                                            | unknown field 'weight'",
    })
    void shouldRefuseAnInvalidPolicyNamingTheField(final String json, final String reason)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> parse(json));
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }
}
