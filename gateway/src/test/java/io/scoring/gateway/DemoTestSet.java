package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's applicants as the training command wrote them (gateway/src/test/resources/demo): each
 * one's id, encoded feature vector, label and split, plus the model config that names the features.
 */
public final class DemoTestSet
{
    public record Applicant(String id, float[] features, int label, String split)
    {
    }

    final JsonNode modelConfig;
    final List<String> featureNames = new ArrayList<>();
    public final List<Applicant> applicants = new ArrayList<>();

    public DemoTestSet() throws IOException
    {
        try (InputStream in = resource("demo/models/credit-risk/model.json"))
        {
            modelConfig = new ObjectMapper().readTree(in);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
            resource("demo/credit-risk-test-set.csv"), StandardCharsets.UTF_8)))
        {
            final String[] header = reader.readLine().split(",");
            for (int i = 1; i < header.length - 2; i++)
            {
                featureNames.add(header[i]);
            }
            String line;
            while (null != (line = reader.readLine()))
            {
                final String[] cells = line.split(",");
                final float[] features = new float[featureNames.size()];
                for (int i = 0; i < features.length; i++)
                {
                    features[i] = Float.parseFloat(cells[i + 1]);
                }
                applicants.add(new Applicant(cells[0], features, Integer.parseInt(cells[cells.length - 2]),
                    cells[cells.length - 1]));
            }
        }
    }

    List<Applicant> testRows()
    {
        return applicants.stream().filter((a) -> "test".equals(a.split())).toList();
    }

    JsonNode feature(final String name)
    {
        for (final JsonNode feature : modelConfig.get("features"))
        {
            if (feature.get("name").asText().equals(name))
            {
                return feature;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The request-time features, by name, in model order. */
    List<String> requestFeatures()
    {
        final List<String> names = new ArrayList<>();
        modelConfig.get("features").forEach((f) ->
        {
            if ("request".equals(f.get("source").asText()))
            {
                names.add(f.get("name").asText());
            }
        });
        return names;
    }

    /** The value a caller sends for a feature: the number, or the category's name for a categorical one. */
    Object requestValue(final Applicant applicant, final String feature)
    {
        final float encoded = applicant.features()[featureNames.indexOf(feature)];
        final JsonNode spec = feature(feature);
        if ("categorical".equals(spec.get("type").asText()))
        {
            return spec.get("categories").get((int)encoded).asText();
        }
        return (double)encoded;
    }

    private static InputStream resource(final String name) throws IOException
    {
        final InputStream in = DemoTestSet.class.getClassLoader().getResourceAsStream(name);
        if (null == in)
        {
            throw new IOException("missing test resource " + name);
        }
        return in;
    }
}
