package io.scoring.monitoring;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model version's reference profile: the distribution of each input feature in its training data,
 * what online drift is measured against. The training command builds it with {@link #build} and writes
 * it next to the model as {@code reference-profile.json} ({@link #write}); the gateway reads it with
 * {@link #read} at load. The format is documented in the module README. Immutable.
 */
public final class ReferenceProfile
{
    /** The format tag the file carries; a reader refuses any other. */
    public static final String FORMAT = "scoring-reference-profile/1";
    /** The file name next to {@code model.onnx}. */
    public static final String FILE_NAME = "reference-profile.json";
    /** Quantile bins per numeric feature: deciles, the usual choice for PSI. */
    public static final int NUMERIC_BINS = 10;
    /** Reference values kept per numeric feature for KS: plenty for D to within 1 % of the full data's. */
    public static final int MAX_SAMPLE = 10_000;
    /**
     * Whole training rows kept for the domain classifier, which needs features jointly: 1,000 rows, as
     * many as the default drift window, so neither side of the classifier dominates.
     */
    public static final int MAX_JOINT_ROWS = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final long rows;
    private final List<FeatureReference> features;
    private final float[] jointSample;

    /** @param jointSample whole rows, row major in model order; empty when the profile has none. */
    ReferenceProfile(final long rows, final List<FeatureReference> features, final float[] jointSample)
    {
        this.rows = rows;
        this.features = List.copyOf(features);
        this.jointSample = jointSample;
    }

    /**
     * Builds the profile of training rows, each a float vector in model order (categorical values are
     * category codes). Non-finite values and invalid codes are left out of their feature's profile.
     */
    public static ReferenceProfile build(final List<MonitoredFeature> specs, final float[][] trainingRows)
    {
        final List<FeatureReference> features = new ArrayList<>(specs.size());
        for (int f = 0; f < specs.size(); f++)
        {
            final MonitoredFeature spec = specs.get(f);
            features.add(spec.isCategorical() ? categorical(spec, f, trainingRows) : numeric(spec, f, trainingRows));
        }
        final int kept = Math.min(trainingRows.length, MAX_JOINT_ROWS);
        final float[] joint = new float[kept * specs.size()];
        for (int i = 0; i < kept; i++)
        {
            // evenly spaced rows: all of them when they fit, else a systematic sample in the rows' order
            System.arraycopy(trainingRows[(int)((long)i * trainingRows.length / kept)], 0, joint, i * specs.size(),
                specs.size());
        }
        return new ReferenceProfile(trainingRows.length, features, joint);
    }

    private static FeatureReference categorical(final MonitoredFeature spec, final int column, final float[][] rows)
    {
        final long[] counts = new long[spec.categories().size()];
        for (final float[] row : rows)
        {
            final int code = spec.categoryCode(row[column]);
            if (code >= 0)
            {
                counts[code]++;
            }
        }
        return new FeatureReference(spec.name(), spec.categories(), new double[0], counts, new double[0]);
    }

    private static FeatureReference numeric(final MonitoredFeature spec, final int column, final float[][] rows)
    {
        final double[] values = new double[rows.length];
        int n = 0;
        for (final float[] row : rows)
        {
            if (Float.isFinite(row[column]))
            {
                values[n++] = row[column];
            }
        }
        if (n == 0)
        {
            throw new IllegalArgumentException("feature '" + spec.name() + "' has no finite training value");
        }
        final double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);

        final double[] edges = new double[NUMERIC_BINS - 1];
        int edgeCount = 0;
        for (int j = 1; j < NUMERIC_BINS; j++)
        {
            final double edge = sorted[(int)Math.ceil((double)j * n / NUMERIC_BINS) - 1];
            if (edgeCount == 0 || edge > edges[edgeCount - 1])
            {
                edges[edgeCount++] = edge;
            }
        }
        final double[] distinctEdges = Arrays.copyOf(edges, edgeCount);
        final long[] counts = new long[edgeCount + 1];
        for (int i = 0; i < n; i++)
        {
            counts[FeatureReference.bin(distinctEdges, sorted[i])]++;
        }
        return new FeatureReference(spec.name(), List.of(), distinctEdges, counts, thin(sorted));
    }

    /** At most {@link #MAX_SAMPLE} evenly spaced order statistics of a sorted array. */
    private static double[] thin(final double[] sorted)
    {
        if (sorted.length <= MAX_SAMPLE)
        {
            return sorted;
        }
        final double[] kept = new double[MAX_SAMPLE];
        for (int i = 0; i < MAX_SAMPLE; i++)
        {
            kept[i] = sorted[(int)((i + 0.5) * sorted.length / MAX_SAMPLE)];
        }
        return kept;
    }

    public long rows()
    {
        return rows;
    }

    List<FeatureReference> features()
    {
        return features;
    }

    /** Whole training rows for the domain classifier, row major; empty for a profile written without them. */
    float[] jointSample()
    {
        return jointSample;
    }

    int jointRows()
    {
        return jointSample.length / features.size();
    }

    /**
     * The numeric features' quantiles {@link #typicalRows} puts its rows at: the median first, then both
     * tails and both quartiles, so a probe sees the middle of the data and its edges, not its extremes
     * (a model trained on them may answer anything at the 0.1 % point, and still be healthy).
     */
    public static final double[] TYPICAL_QUANTILES = {0.5, 0.1, 0.25, 0.75, 0.9};

    /**
     * Rows typical of the training data, in model order (a categorical as its category code), one per
     * {@link #TYPICAL_QUANTILES}: row {@code r} has every numeric feature at that quantile of its reference
     * sample and every categorical at its {@code r}-th most frequent category (wrapping), so the first row
     * is the medians and the modes and the others reach further categories. What a health probe scores
     * when a version ships no golden requests.
     */
    public float[][] typicalRows()
    {
        final float[][] rows = new float[TYPICAL_QUANTILES.length][features.size()];
        for (int f = 0; f < features.size(); f++)
        {
            final FeatureReference feature = features.get(f);
            final Integer[] byFrequency = feature.isCategorical() ? categoriesByFrequency(feature.counts()) : null;
            final double[] sample = feature.sortedSample();
            for (int r = 0; r < rows.length; r++)
            {
                rows[r][f] = feature.isCategorical()
                    ? byFrequency[r % byFrequency.length]
                    : (float)sample[(int)Math.round(TYPICAL_QUANTILES[r] * (sample.length - 1))];
            }
        }
        return rows;
    }

    /** Category codes, most frequent first; ties in code order. */
    private static Integer[] categoriesByFrequency(final long[] counts)
    {
        final Integer[] codes = new Integer[counts.length];
        for (int i = 0; i < codes.length; i++)
        {
            codes[i] = i;
        }
        Arrays.sort(codes, (a, b) -> Long.compare(counts[b], counts[a]));
        return codes;
    }

    /** True when the profile describes these features, by name, type and categories, in this order. */
    public boolean matches(final List<MonitoredFeature> specs)
    {
        if (specs.size() != features.size())
        {
            return false;
        }
        for (int i = 0; i < specs.size(); i++)
        {
            final MonitoredFeature spec = specs.get(i);
            final FeatureReference feature = features.get(i);
            if (!spec.name().equals(feature.name()) || !spec.categories().equals(feature.categories()))
            {
                return false;
            }
        }
        return true;
    }

    public void write(final Path file) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(file))
        {
            write(out);
        }
    }

    public void write(final OutputStream out) throws IOException
    {
        try (JsonGenerator json = JSON.createGenerator(out))
        {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("rows", rows);
            json.writeArrayFieldStart("features");
            for (final FeatureReference feature : features)
            {
                json.writeStartObject();
                json.writeStringField("name", feature.name());
                if (feature.isCategorical())
                {
                    json.writeStringField("type", "categorical");
                    json.writeArrayFieldStart("categories");
                    for (final String category : feature.categories())
                    {
                        json.writeString(category);
                    }
                    json.writeEndArray();
                    writeLongs(json, "category_counts", feature.counts());
                }
                else
                {
                    json.writeStringField("type", "numeric");
                    writeDoubles(json, "bin_edges", feature.edges());
                    writeLongs(json, "bin_counts", feature.counts());
                    writeDoubles(json, "sample", feature.sortedSample());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("joint_sample");
            for (int at = 0; at < jointSample.length; at += features.size())
            {
                json.writeStartArray();
                for (int f = 0; f < features.size(); f++)
                {
                    json.writeNumber(jointSample[at + f]);
                }
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    public static ReferenceProfile read(final Path file) throws IOException
    {
        final JsonNode root;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) // file may sit in a jar's file system
        {
            root = JSON.readTree(in);
        }
        final String at = file.toString();
        if (!FORMAT.equals(root.path("format").asText()))
        {
            throw new IOException(at + ": 'format' must be '" + FORMAT + "'");
        }
        final List<FeatureReference> features = new ArrayList<>();
        for (final JsonNode node : root.path("features"))
        {
            final String name = node.path("name").asText();
            final String type = node.path("type").asText();
            final String where = at + ", feature '" + name + "'";
            if ("categorical".equals(type))
            {
                final List<String> categories = new ArrayList<>();
                node.path("categories").forEach((category) -> categories.add(category.asText()));
                final long[] counts = longs(node.path("category_counts"));
                if (categories.isEmpty() || counts.length != categories.size())
                {
                    throw new IOException(where + ": needs categories and one count per category");
                }
                features.add(new FeatureReference(name, categories, new double[0], counts, new double[0]));
            }
            else if ("numeric".equals(type))
            {
                final double[] edges = doubles(node.path("bin_edges"));
                final long[] counts = longs(node.path("bin_counts"));
                final double[] sample = doubles(node.path("sample"));
                if (counts.length != edges.length + 1 || sample.length == 0 || !ascending(sample) || !strictlyAscending(edges))
                {
                    throw new IOException(where + ": needs ascending distinct bin_edges, one more bin_counts " +
                        "than edges, and a non-empty ascending sample");
                }
                features.add(new FeatureReference(name, List.of(), edges, counts, sample));
            }
            else
            {
                throw new IOException(where + ": type must be 'numeric' or 'categorical'");
            }
        }
        if (features.isEmpty())
        {
            throw new IOException(at + ": no features");
        }
        final JsonNode joint = root.path("joint_sample");
        final float[] jointSample = new float[joint.size() * features.size()];
        for (int i = 0; i < joint.size(); i++)
        {
            if (joint.get(i).size() != features.size())
            {
                throw new IOException(at + ": joint_sample[" + i + "] must have one value per feature (" +
                    features.size() + ")");
            }
            for (int f = 0; f < features.size(); f++)
            {
                jointSample[i * features.size() + f] = joint.get(i).get(f).floatValue();
            }
        }
        return new ReferenceProfile(root.path("rows").asLong(), features, jointSample);
    }

    private static void writeLongs(final JsonGenerator json, final String field, final long[] values) throws IOException
    {
        json.writeFieldName(field);
        json.writeArray(values, 0, values.length);
    }

    private static void writeDoubles(final JsonGenerator json, final String field, final double[] values) throws IOException
    {
        json.writeFieldName(field);
        json.writeArray(values, 0, values.length);
    }

    private static long[] longs(final JsonNode array)
    {
        final long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    private static double[] doubles(final JsonNode array)
    {
        final double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    private static boolean ascending(final double[] values)
    {
        for (int i = 1; i < values.length; i++)
        {
            if (values[i] < values[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean strictlyAscending(final double[] values)
    {
        for (int i = 1; i < values.length; i++)
        {
            if (values[i] <= values[i - 1])
            {
                return false;
            }
        }
        return true;
    }
}
