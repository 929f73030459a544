package io.scoring.bench.load;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.Row;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests a run cycles over: one per demo applicant, each carrying that applicant's entity key
 * and request-time features as an application would send them. Built once, before the clock starts,
 * so generating a request costs nothing during a run.
 *
 * <p>The request-time features are the model config's {@code "source": "request"} features (for the
 * demo: duration, purpose, credit_amount, installment_commitment), their values taken from the German
 * Credit data set row of the same applicant (row {@code r} is applicant {@code A%04d} of {@code r + 1},
 * as the training command numbers them): numbers as numbers, categories by name.
 */
final class Workload
{
    static final String DEMO_MODEL_CONFIG = "demo/models/credit-risk/model.json";
    static final String DEMO_DATA = "io/scoring/bench/load/credit-g.arff";

    /** One applicant's key and request-time features in model order; values are Double or String. */
    record Applicant(String id, Map<String, Object> features)
    {
    }

    private final String model;
    private final String entityKey;
    private final int rowsPerRequest;
    private final List<Applicant> applicants;

    Workload(final String model, final String entityKey, final int rowsPerRequest, final List<Applicant> applicants)
    {
        if (applicants.isEmpty())
        {
            throw new IllegalArgumentException("no applicants to send");
        }
        this.model = model;
        this.entityKey = entityKey;
        this.rowsPerRequest = rowsPerRequest;
        this.applicants = List.copyOf(applicants);
    }

    /** The demo: the bundled model config and data set unless the options name others. */
    static Workload load(final LoadOptions options) throws IOException
    {
        final JsonNode config;
        try (InputStream in = open(options.modelConfig, DEMO_MODEL_CONFIG))
        {
            config = new ObjectMapper().readTree(in);
        }
        final List<String> requestFeatures = new ArrayList<>();
        config.get("features").forEach((feature) ->
        {
            if ("request".equals(feature.get("source").asText()))
            {
                requestFeatures.add(feature.get("name").asText());
            }
        });
        try (InputStream in = open(options.data, DEMO_DATA))
        {
            return new Workload(options.model, config.get("entity_key").asText(), options.rows,
                readArff(in, requestFeatures));
        }
    }

    int size()
    {
        return applicants.size();
    }

    /** The own API's gRPC requests: request {@code i} starts at applicant {@code i}. */
    PredictRequest[] ownRequests()
    {
        final PredictRequest[] requests = new PredictRequest[size()];
        for (int i = 0; i < requests.length; i++)
        {
            final PredictRequest.Builder request = PredictRequest.newBuilder().setModel(model);
            for (final Applicant applicant : rowsFrom(i))
            {
                final Row.Builder row = request.addRowsBuilder().setEntityKey(applicant.id());
                applicant.features().forEach((name, value) -> row.putFeatures(name, value instanceof String text
                    ? FeatureValue.newBuilder().setStringValue(text).build()
                    : FeatureValue.newBuilder().setNumberValue((Double)value).build()));
            }
            requests[i] = request.build();
        }
        return requests;
    }

    /**
     * The Open Inference Protocol's requests with named inputs, as ModelMetadata describes them: the
     * entity key as BYTES, numeric features as FP32, categorical ones as BYTES, each of shape [rows].
     * Both forms the protocol allows: each tensor's values in its typed {@code contents}, or ({@code raw})
     * in {@code raw_input_contents}, one entry per input in input order, as Triton's clients send them:
     * FP32 as little-endian floats, BYTES as a little-endian 4-byte length before each element.
     */
    ModelInferRequest[] v2Requests(final boolean raw)
    {
        final ModelInferRequest[] requests = new ModelInferRequest[size()];
        for (int i = 0; i < requests.length; i++)
        {
            final List<Applicant> rows = rowsFrom(i);
            final ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
            final List<String> names = new ArrayList<>();
            names.add(entityKey);
            names.addAll(rows.get(0).features().keySet());
            for (final String name : names)
            {
                final boolean key = name.equals(entityKey);
                final boolean text = key || rows.get(0).features().get(name) instanceof String;
                final ModelInferRequest.InferInputTensor.Builder input = request.addInputsBuilder()
                    .setName(name).setDatatype(text ? "BYTES" : "FP32").addShape(rows.size());
                final InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                final ByteBuffer rawContents = ByteBuffer.allocate(256 * rows.size()).order(ByteOrder.LITTLE_ENDIAN);
                for (final Applicant applicant : rows)
                {
                    final Object value = key ? applicant.id() : applicant.features().get(name);
                    if (text)
                    {
                        final byte[] bytes = ((String)value).getBytes(StandardCharsets.UTF_8);
                        contents.addBytesContents(ByteString.copyFrom(bytes));
                        rawContents.putInt(bytes.length).put(bytes);
                    }
                    else
                    {
                        contents.addFp32Contents(((Double)value).floatValue());
                        rawContents.putFloat(((Double)value).floatValue());
                    }
                }
                if (raw)
                {
                    request.addRawInputContents(ByteString.copyFrom(rawContents.flip()));
                }
                else
                {
                    input.setContents(contents);
                }
            }
            requests[i] = request.build();
        }
        return requests;
    }

    /** The own API's JSON bodies ({@code POST /v1/predict}), the same requests as {@link #ownRequests()}. */
    byte[][] jsonBodies()
    {
        final byte[][] bodies = new byte[size()][];
        final ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < bodies.length; i++)
        {
            final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
            try (JsonGenerator json = mapper.getFactory().createGenerator(body))
            {
                json.writeStartObject();
                json.writeStringField("model", model);
                json.writeArrayFieldStart("rows");
                for (final Applicant applicant : rowsFrom(i))
                {
                    json.writeStartObject();
                    json.writeStringField("entity_key", applicant.id());
                    json.writeObjectFieldStart("features");
                    for (final Map.Entry<String, Object> feature : applicant.features().entrySet())
                    {
                        json.writeFieldName(feature.getKey());
                        writeValue(json, feature.getValue());
                    }
                    json.writeEndObject();
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            bodies[i] = body.toByteArray();
        }
        return bodies;
    }

    /** Request {@code i}'s entity key as a proxy would see it in a header: its first row's. */
    String[] entityKeys()
    {
        final String[] keys = new String[size()];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = applicants.get(i).id();
        }
        return keys;
    }

    private List<Applicant> rowsFrom(final int first)
    {
        final List<Applicant> rows = new ArrayList<>(rowsPerRequest);
        for (int j = 0; j < rowsPerRequest; j++)
        {
            rows.add(applicants.get((first + j) % applicants.size()));
        }
        return rows;
    }

    /** Whole numbers as integers ({@code 6}, not {@code 6.0}), as an application's JSON would carry them. */
    private static void writeValue(final JsonGenerator json, final Object value) throws IOException
    {
        if (value instanceof String text)
        {
            json.writeString(text);
        }
        else
        {
            final double number = (Double)value;
            if (number == Math.rint(number) && Math.abs(number) < 1e15)
            {
                json.writeNumber((long)number);
            }
            else
            {
                json.writeNumber(number);
            }
        }
    }

    /**
     * The named attributes of every data row of an ARFF file (the subset this workload needs: nominal
     * values in single quotes or bare, no sparse rows, {@code ?} for a missing value, which is left out).
     */
    static List<Applicant> readArff(final InputStream in, final List<String> wanted) throws IOException
    {
        final List<String> attributes = new ArrayList<>();
        final List<Boolean> numeric = new ArrayList<>();
        final List<Applicant> applicants = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            boolean data = false;
            String line;
            while (null != (line = reader.readLine()))
            {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("%"))
                {
                    continue;
                }
                if (!data)
                {
                    final String lower = line.toLowerCase();
                    if (lower.startsWith("@attribute"))
                    {
                        final List<String> parts = splitArff(line.substring("@attribute".length()).strip(), ' ');
                        attributes.add(parts.get(0));
                        numeric.add(parts.size() > 1 && parts.get(1).toLowerCase().matches("numeric|real|integer"));
                    }
                    data = lower.startsWith("@data");
                    continue;
                }
                final List<String> cells = splitArff(line, ',');
                final Map<String, Object> features = new LinkedHashMap<>();
                for (final String name : wanted)
                {
                    final int column = attributes.indexOf(name);
                    if (column < 0)
                    {
                        throw new IOException("the data set has no attribute '" + name + "'");
                    }
                    final String cell = cells.get(column);
                    if (!"?".equals(cell))
                    {
                        features.put(name, numeric.get(column) ? (Object)Double.valueOf(cell) : cell);
                    }
                }
                applicants.add(new Applicant(String.format("A%04d", applicants.size() + 1), features));
            }
        }
        return applicants;
    }

    /** Splits on a separator outside single quotes, unquoting and trimming each part. */
    private static List<String> splitArff(final String line, final char separator)
    {
        final List<String> parts = new ArrayList<>();
        final StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if ('\'' == c)
            {
                quoted = !quoted;
            }
            else if (c == separator && !quoted)
            {
                if (' ' != separator || part.length() > 0)
                {
                    parts.add(part.toString().strip());
                }
                part.setLength(0);
            }
            else
            {
                part.append(c);
            }
        }
        parts.add(part.toString().strip());
        return parts;
    }

    private static InputStream open(final Path file, final String resource) throws IOException
    {
        if (null != file)
        {
            return Files.newInputStream(file);
        }
        final InputStream in = Workload.class.getClassLoader().getResourceAsStream(resource);
        if (null == in)
        {
            throw new IOException(resource + " is not on the classpath");
        }
        return in;
    }
}
