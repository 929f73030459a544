package io.scoring.router.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.json's {@code segments}: the subpopulations monitoring splits a model's figures by. */
class SegmentSpecTest
{
    private static final String FEATURES = """
        {"name": "sex", "source": "store", "type": "categorical", "categories": ["m", "f", "x"], "default": "x"},
        {"name": "age", "source": "store", "type": "numeric", "default": 33}""";

    @Test
    void shouldReadCategoryGroupsAndRangesWithOpenEnds() throws IOException
    {
        final ModelConfig config = parse("""
            [{"feature": "sex", "groups": [{"name": "male", "categories": ["m"]}, {"name": "female", "categories": ["f"]}]},
             {"feature": "age", "groups": [{"name": "young", "below": 25}, {"name": "older", "from": 25}]}]""");

        assertEquals(List.of(
            new SegmentSpec("sex", List.of(
                new SegmentSpec.Group("male", List.of("m"), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                new SegmentSpec.Group("female", List.of("f"), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY))),
            new SegmentSpec("age", List.of(
                new SegmentSpec.Group("young", List.of(), Double.NEGATIVE_INFINITY, 25),
                new SegmentSpec.Group("older", List.of(), 25, Double.POSITIVE_INFINITY)))), config.segments());
        assertEquals(List.of(), parse("null").segments(), "no segments: none");
    }

    @Test
    void shouldRefuseEachMistakeNamingWhereItIs()
    {
        refuse("[{\"feature\": \"height\", \"groups\": []}]", "segments[0]: feature 'height' is not a feature of the model");
        refuse("[{\"feature\": \"sex\", \"groups\": [{\"name\": \"m\", \"categories\": [\"m\"]}]}]",
            "segments[0]: 'groups' must be an array of 2 to 255 groups");
        refuse("[{\"feature\": \"sex\", \"groups\": [{\"name\": \"a\", \"categories\": [\"m\"]}, {\"name\": \"b\", " +
            "\"categories\": [\"q\"]}]}]", "segments[0].groups[1] ('b'): 'q' is not a category of 'sex'");
        refuse("[{\"feature\": \"sex\", \"groups\": [{\"name\": \"a\", \"categories\": [\"m\"]}, {\"name\": \"b\", " +
            "\"categories\": [\"m\"]}]}]", "segments[0].groups[1] ('b'): 'm' is also in group 'a'");
        refuse("[{\"feature\": \"sex\", \"groups\": [{\"name\": \"a\", \"below\": 3}, {\"name\": \"b\", \"from\": 3}]}]",
            "segments[0].groups[0] ('a'): a group of a categorical feature needs 'categories'");
        refuse("[{\"feature\": \"age\", \"groups\": [{\"name\": \"a\", \"from\": 30, \"below\": 20}, {\"name\": \"b\", " +
            "\"from\": 30}]}]", "segments[0].groups[0] ('a'): a group of a numeric feature is a range");
        refuse("[{\"feature\": \"age\", \"groups\": [{\"name\": \"a\", \"from\": \"30\"}, {\"name\": \"b\", \"from\": 3}]}]",
            "segments[0].groups[0]: 'from' must be a number");
        refuse("[{\"groups\": []}]", "segments[0]: 'feature' is required");
        refuse("{}", "'segments' must be an array of at most 8 segments");
    }

    private static void refuse(final String segments, final String message)
    {
        final IOException ex = assertThrows(IOException.class, () -> parse(segments));
        assertTrue(ex.getMessage().contains(message), ex.getMessage());
    }

    private static ModelConfig parse(final String segments) throws IOException
    {
        final String json = "{\"name\": \"m\", \"entity_key\": \"id\", \"champion\": \"1\", \"input\": {\"name\": \"x\"}," +
            " \"features\": [" + FEATURES + "], \"outputs\": [{\"name\": \"p\"}], \"segments\": " + segments + "}";
        return ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "model.json");
    }
}
