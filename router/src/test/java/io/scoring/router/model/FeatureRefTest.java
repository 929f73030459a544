package io.scoring.router.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.json's {@code feature_ref}: which Feast feature view (and name there) a store feature is read from. */
class FeatureRefTest
{
    @Test
    void shouldKeepEachStoreFeaturesReferenceAndNoneWhereItIsNotGiven() throws IOException
    {
        final ModelConfig config = parse("""
            {"name": "age", "source": "store", "type": "numeric", "default": 33, "feature_ref": "demographics:age_years"},
            {"name": "job", "source": "store", "type": "numeric", "default": 1}""");
        assertEquals("demographics:age_years", config.feature("age").featureRef());
        assertNull(config.feature("job").featureRef(), "the store's default view");
    }

    @Test
    void shouldRefuseAReferenceThatIsNotViewColonFeatureOrOnARequestFeature()
    {
        for (final String bad : new String[]{ "\"age\"", "\":age\"", "\"demographics:\"", "\"\"", "7" })
        {
            final IOException ex = assertThrows(IOException.class, () -> parse(
                "{\"name\": \"age\", \"source\": \"store\", \"type\": \"numeric\", \"default\": 1, \"feature_ref\": " + bad + "}"));
            assertTrue(ex.getMessage().contains("features[0] ('age'): feature_ref must be Feast's '<feature_view>:<feature>'"),
                ex.getMessage());
        }
        final IOException ex = assertThrows(IOException.class, () -> parse(
            "{\"name\": \"age\", \"source\": \"request\", \"type\": \"numeric\", \"feature_ref\": \"a:age\"}"));
        assertTrue(ex.getMessage().contains("comes from the request"), ex.getMessage());
    }

    private static ModelConfig parse(final String features) throws IOException
    {
        final String json = "{\"name\": \"m\", \"entity_key\": \"id\", \"champion\": \"1\", \"input\": {\"name\": \"x\"}," +
            " \"features\": [" + features + "], \"outputs\": [{\"name\": \"p\"}]}";
        return ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "model.json");
    }
}
