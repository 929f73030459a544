package io.scoring.gateway.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.scoring.monitoring.ReferenceProfile;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.model.OutputSpec;
import io.scoring.router.runtime.Scorer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A version's golden requests: input rows in model order, the outputs each must answer, and how far off
 * an answer may be. From the version's {@value #FILE_NAME} when it ships one, one JSON object a line:
 *
 * <pre>
 *   {"name": "typical applicant",                        optional, names the row in a failure
 *    "features": {"duration": 24, "purpose": "radio/tv", ...},   numbers; categories by name; an absent
 *                                                         feature takes its model.json default
 *    "expected": {"probability": 0.1531},                 by output name; outputs left out are not compared
 *    "tolerance": 0.001}                                  optional: |answer - expected| allowed, default
 *                                                         --health-probe-tolerance
 * </pre>
 *
 * Else {@link #derive derived} from the version's reference profile, the expected outputs being the
 * version's own answers at load. A file that cannot be read gives a set with a {@link #problem} and no
 * rows: the version still loads and serves, and its probe fails naming the line and the field.
 *
 * <p>Immutable once built; built on the loading thread, read by the probe thread.
 */
final class GoldenSet
{
    /** The file a version directory may ship, next to {@code model.onnx}. */
    static final String FILE_NAME = "golden.jsonl";
    /** More rows tell a probe little more and cost every run: a file with more is refused. */
    static final int MAX_ROWS = 1_000;

    enum Source
    {
        /** The version's {@value #FILE_NAME}. */
        FILE,
        /** Typical rows of the version's reference profile, checked against its answers at load. */
        DERIVED,
        /** Neither a golden file nor a reference profile: nothing to probe. */
        NONE;

        String wireName()
        {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    final Source source;
    final int featureCount;
    final int outputCount;
    /** Row after row, {@code featureCount} floats each. */
    final float[] inputs;
    /** Row after row, {@code outputCount} each; NaN: that output is not compared. */
    final float[] expected;
    final double[] tolerances;
    final String[] names;
    /** Why the set cannot be probed (an unreadable file, a version that failed its derived rows at load), or null. */
    final String problem;

    private GoldenSet(
        final Source source, final int featureCount, final int outputCount, final float[] inputs, final float[] expected,
        final double[] tolerances, final String[] names, final String problem)
    {
        this.source = source;
        this.featureCount = featureCount;
        this.outputCount = outputCount;
        this.inputs = inputs;
        this.expected = expected;
        this.tolerances = tolerances;
        this.names = names;
        this.problem = problem;
    }

    int rows()
    {
        return tolerances.length;
    }

    static GoldenSet none(final ModelConfig config)
    {
        return new GoldenSet(Source.NONE, config.featureCount(), config.outputCount(), new float[0], new float[0],
            new double[0], new String[0], null);
    }

    private static GoldenSet broken(final Source source, final ModelConfig config, final String problem)
    {
        return new GoldenSet(source, config.featureCount(), config.outputCount(), new float[0], new float[0],
            new double[0], new String[0], problem);
    }

    /**
     * Reads a golden file. Never throws: a file that cannot be read, or a line that does not fit the
     * model, gives a set whose {@link #problem} names the line and the field.
     */
    static GoldenSet read(final Path file, final ModelConfig config, final double defaultTolerance)
    {
        final List<float[]> inputs = new ArrayList<>();
        final List<float[]> expected = new ArrayList<>();
        final List<Double> tolerances = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        int lineNumber = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            for (String line = reader.readLine(); null != line; line = reader.readLine())
            {
                lineNumber++;
                if (line.isBlank())
                {
                    continue;
                }
                if (inputs.size() == MAX_ROWS)
                {
                    throw new IllegalArgumentException("more than " + MAX_ROWS + " rows");
                }
                final JsonNode row = JSON.readTree(line);
                if (!row.isObject())
                {
                    throw new IllegalArgumentException("a line must be a JSON object");
                }
                inputs.add(features(row.path("features"), config));
                expected.add(expected(row.path("expected"), config));
                tolerances.add(tolerance(row.path("tolerance"), defaultTolerance));
                names.add(row.path("name").isTextual() ? row.path("name").asText() : "line " + lineNumber);
            }
        }
        catch (final JsonProcessingException ex)
        {
            return broken(Source.FILE, config, FILE_NAME + " line " + lineNumber + ": malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            return broken(Source.FILE, config, FILE_NAME + ": unreadable: " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            return broken(Source.FILE, config, FILE_NAME + (lineNumber == 0 ? "" : " line " + lineNumber) + ": " + ex.getMessage());
        }
        if (inputs.isEmpty())
        {
            return broken(Source.FILE, config, FILE_NAME + ": no rows");
        }
        return new GoldenSet(Source.FILE, config.featureCount(), config.outputCount(),
            concat(inputs, config.featureCount()), concat(expected, config.outputCount()),
            tolerances.stream().mapToDouble(Double::doubleValue).toArray(), names.toArray(new String[0]), null);
    }

    private static float[] features(final JsonNode features, final ModelConfig config)
    {
        if (!features.isObject())
        {
            throw new IllegalArgumentException("features: required, an object of feature name to value");
        }
        for (final Iterator<String> names = features.fieldNames(); names.hasNext(); )
        {
            final String name = names.next();
            if (null == config.feature(name))
            {
                throw new IllegalArgumentException("features." + name + ": model '" + config.name() + "' has no such feature");
            }
        }
        final float[] row = new float[config.featureCount()];
        for (final FeatureSpec feature : config.features())
        {
            final JsonNode value = features.get(feature.name());
            final String field = "features." + feature.name();
            if (null == value || value.isNull())
            {
                if (!feature.hasDefault())
                {
                    throw new IllegalArgumentException(field + ": required (the feature has no default in model.json)");
                }
                row[feature.index()] = feature.defaultValue();
            }
            else if (feature.isCategorical())
            {
                final int code = value.isTextual() ? feature.categoryCode(value.asText()) : FeatureSpec.UNKNOWN_CATEGORY;
                if (code == FeatureSpec.UNKNOWN_CATEGORY)
                {
                    throw new IllegalArgumentException(field + ": one of " + feature.categories() + ", got " + value);
                }
                row[feature.index()] = code;
            }
            else
            {
                if (!value.isNumber() || !Double.isFinite(value.asDouble()))
                {
                    throw new IllegalArgumentException(field + ": a finite number, got " + value);
                }
                row[feature.index()] = value.floatValue();
            }
        }
        return row;
    }

    private static float[] expected(final JsonNode expected, final ModelConfig config)
    {
        if (!expected.isObject() || expected.isEmpty())
        {
            throw new IllegalArgumentException("expected: required, an object of output name to its expected number, e.g. {\"" +
                config.outputs().get(0).name() + "\": 0.25}");
        }
        final float[] values = new float[config.outputCount()];
        Arrays.fill(values, Float.NaN);
        for (final Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext(); )
        {
            final Map.Entry<String, JsonNode> field = fields.next();
            final int output = outputIndex(config, field.getKey());
            if (output < 0)
            {
                throw new IllegalArgumentException("expected." + field.getKey() + ": model '" + config.name() +
                    "' has no such output (" + config.outputs().stream().map(OutputSpec::name).toList() + ")");
            }
            if (!field.getValue().isNumber() || !Double.isFinite(field.getValue().asDouble()))
            {
                throw new IllegalArgumentException("expected." + field.getKey() + ": a finite number, got " + field.getValue());
            }
            values[output] = field.getValue().floatValue();
        }
        return values;
    }

    private static int outputIndex(final ModelConfig config, final String name)
    {
        for (int i = 0; i < config.outputCount(); i++)
        {
            if (config.outputs().get(i).name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    private static double tolerance(final JsonNode tolerance, final double defaultTolerance)
    {
        if (tolerance.isMissingNode() || tolerance.isNull())
        {
            return defaultTolerance;
        }
        if (!tolerance.isNumber() || !(tolerance.asDouble() >= 0) || !Double.isFinite(tolerance.asDouble()))
        {
            throw new IllegalArgumentException("tolerance: a finite number of 0 or more, got " + tolerance);
        }
        return tolerance.asDouble();
    }

    /**
     * Rows derived from a reference profile, their expected outputs the version's answers now (at load):
     * later probes then catch a runtime that stops answering, answers non-finite, or drifts from itself.
     * A row the version cannot answer now gives a set with a {@link #problem}.
     */
    static GoldenSet derive(final float[][] rows, final ModelConfig config, final Scorer scorer, final double tolerance)
    {
        final int featureCount = config.featureCount();
        final int outputCount = config.outputCount();
        final float[] inputs = new float[rows.length * featureCount];
        final float[] expected = new float[rows.length * outputCount];
        final float[] input = new float[featureCount];
        final float[] output = new float[outputCount];
        final String[] names = new String[rows.length];
        for (int r = 0; r < rows.length; r++)
        {
            System.arraycopy(rows[r], 0, input, 0, featureCount);
            System.arraycopy(rows[r], 0, inputs, r * featureCount, featureCount);
            names[r] = r == 0 ? "profile medians and modes" : r < ReferenceProfile.TYPICAL_QUANTILES.length
                ? "profile quantile " + ReferenceProfile.TYPICAL_QUANTILES[r] : "profile row " + r;
            if (scorer.score(input, 1, output) != Scorer.OK)
            {
                return broken(Source.DERIVED, config, "at load the version failed its derived row '" + names[r] + "'");
            }
            for (int o = 0; o < outputCount; o++)
            {
                if (!Float.isFinite(output[o]))
                {
                    return broken(Source.DERIVED, config, "at load the version answered " + output[o] + " to its derived row '" +
                        names[r] + "'");
                }
            }
            System.arraycopy(output, 0, expected, r * outputCount, outputCount);
        }
        final double[] tolerances = new double[rows.length];
        Arrays.fill(tolerances, tolerance);
        return new GoldenSet(Source.DERIVED, featureCount, outputCount, inputs, expected, tolerances, names, null);
    }

    /**
     * Scores every row with {@code scorer}, one row a call as a request would, and compares each answer
     * with its expected outputs. A row fails when the runtime fails it, answers a non-finite number, or
     * answers further than its tolerance from an expected output.
     */
    ProbeResult check(final String model, final String version, final Scorer scorer, final long nowMillis)
    {
        if (source == Source.NONE)
        {
            return new ProbeResult(model, version, ProbeResult.Verdict.NONE, "no " + FILE_NAME + " and no " +
                ReferenceProfile.FILE_NAME + ": nothing to probe", source.wireName(), 0, 0, Double.NaN, Double.NaN, 0, nowMillis);
        }
        if (null != problem)
        {
            return new ProbeResult(model, version, ProbeResult.Verdict.FAIL, problem, source.wireName(), 0, 0, Double.NaN,
                Double.NaN, 0, nowMillis);
        }
        final float[] input = new float[featureCount];
        final float[] output = new float[outputCount];
        int failed = 0;
        int answered = 0;
        String unanswered = null; // the first row the version failed or answered non-finite
        int worstRow = -1;        // the answer furthest from its expected output
        double maxDelta = 0;
        int failRow = -1;         // the failing answer furthest from its expected output, described once timing is done
        float failAnswer = Float.NaN;
        float failExpected = Float.NaN;
        double failDelta = 0;
        final long start = System.nanoTime();
        for (int r = 0; r < rows(); r++)
        {
            System.arraycopy(inputs, r * featureCount, input, 0, featureCount);
            if (scorer.score(input, 1, output) != Scorer.OK)
            {
                failed++;
                unanswered = null == unanswered ? "the runtime failed row '" + names[r] + "'" : unanswered;
                continue;
            }
            boolean rowFailed = false;
            for (int o = 0; o < outputCount; o++)
            {
                final float want = expected[r * outputCount + o];
                if (Float.isNaN(want))
                {
                    continue;
                }
                if (!Float.isFinite(output[o]))
                {
                    rowFailed = true;
                    unanswered = null == unanswered ? "row '" + names[r] + "' answered " + output[o] : unanswered;
                    continue;
                }
                answered++;
                final double delta = Math.abs((double)output[o] - want);
                if (worstRow < 0 || delta > maxDelta)
                {
                    maxDelta = delta;
                    worstRow = r;
                }
                if (delta > tolerances[r])
                {
                    rowFailed = true;
                    if (failRow < 0 || delta > failDelta)
                    {
                        failRow = r;
                        failAnswer = output[o];
                        failExpected = want;
                        failDelta = delta;
                    }
                }
            }
            failed += rowFailed ? 1 : 0;
        }
        final long nanos = System.nanoTime() - start;
        final double worstTolerance = tolerances[Math.max(0, worstRow)];
        final String reason = failed == 0 ? "" : failed + " of " + rows() + " golden rows failed; " + (null != unanswered
            ? unanswered
            : String.format(java.util.Locale.ROOT, "worst row '%s' answered %s, expected %s (|Δscore| %.6g, tolerance %.6g)",
                names[failRow], failAnswer, failExpected, failDelta, tolerances[failRow]));
        return new ProbeResult(model, version, failed == 0 ? ProbeResult.Verdict.PASS : ProbeResult.Verdict.FAIL, reason,
            source.wireName(), rows(), failed, answered == 0 ? Double.NaN : maxDelta, worstTolerance, nanos, nowMillis);
    }

    private static float[] concat(final List<float[]> rows, final int width)
    {
        final float[] all = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++)
        {
            System.arraycopy(rows.get(i), 0, all, i * width, width);
        }
        return all;
    }
}
