package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.FeatureStatusText;
import io.scoring.gateway.v2.V2Binder;
import io.scoring.router.Model;
import io.scoring.router.model.OutputSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Jackson reading and writing of the Open Inference Protocol's inference bodies that served
 * {@code /v2/models/{m}/infer} before {@link V2JsonDecoder} and {@link V2JsonEncoder}: kept as their
 * test oracle. It fills the context's tensors and binds them with {@link V2Binder}, as the decoder
 * does, so the two can be compared on the context they leave.
 */
final class V2Json
{
    private V2Json()
    {
    }

    /** One input as read from JSON, before binding. */
    private static final class JsonTensor
    {
        String name;
        String datatype;
        long[] shape;
        final List<Object> values = new ArrayList<>();
    }

    /** Reads an inference request into the context, which the caller reset for the model. */
    static void decodeInfer(final JsonParser parser, final ScoringContext ctx) throws IOException, JsonBodyException
    {
        final Model model = ctx.model();
        final List<JsonTensor> inputs = new ArrayList<>();
        PredictJson.expect(parser.nextToken(), JsonToken.START_OBJECT, "the body");
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String field = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (field)
            {
                case "id" -> ctx.requestId(PredictJson.text(parser, value, "id"));
                case "parameters" -> parser.skipChildren();
                case "inputs" ->
                {
                    PredictJson.expect(value, JsonToken.START_ARRAY, "inputs");
                    while (parser.nextToken() != JsonToken.END_ARRAY)
                    {
                        inputs.add(decodeTensor(parser, inputs.size()));
                    }
                }
                case "outputs" ->
                {
                    PredictJson.expect(value, JsonToken.START_ARRAY, "outputs");
                    while (parser.nextToken() != JsonToken.END_ARRAY)
                    {
                        if (V2Binder.requestOutput(ctx, decodeRequestedOutput(parser, model)) != Outcome.OK)
                        {
                            throw new JsonBodyException(ctx.errorMessage());
                        }
                    }
                }
                default -> throw new JsonBodyException("unknown field '" + field + "'");
            }
        }
        if (inputs.isEmpty())
        {
            throw new JsonBodyException("inputs: at least one input is required");
        }
        final InferTensors tensors = ctx.tensors();
        for (final JsonTensor input : inputs)
        {
            final int index = tensors.add();
            tensors.name(index, input.name);
            tensors.datatype(index, input.datatype);
            for (final long dimension : input.shape)
            {
                tensors.addDimension(index, dimension);
            }
            tensors.startData(index, false);
            for (final Object value : input.values)
            {
                if (value instanceof String text)
                {
                    tensors.addText(index, text);
                }
                else
                {
                    tensors.addNumber(index, (Double)value);
                }
            }
        }
        V2Binder.bindAll(ctx);
    }
    private static JsonTensor decodeTensor(final JsonParser parser, final int index)
        throws IOException, JsonBodyException
    {
        final String where = "inputs[" + index + "]";
        PredictJson.expect(parser.currentToken(), JsonToken.START_OBJECT, where);
        final JsonTensor tensor = new JsonTensor();
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String field = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (field)
            {
                case "name" -> tensor.name = PredictJson.text(parser, value, where + ".name");
                case "datatype" -> tensor.datatype = PredictJson.text(parser, value, where + ".datatype");
                case "shape" -> tensor.shape = decodeShape(parser, value, where + ".shape");
                case "parameters" -> parser.skipChildren();
                case "data" -> decodeData(parser, value, tensor.values, where + ".data");
                default -> throw new JsonBodyException(where + ": unknown field '" + field + "'");
            }
        }
        if (null == tensor.name || null == tensor.datatype || null == tensor.shape)
        {
            throw new JsonBodyException(where + ": 'name', 'datatype' and 'shape' are required");
        }
        final boolean text = !tensor.values.isEmpty() && tensor.values.get(0) instanceof String;
        for (final Object element : tensor.values)
        {
            if ((element instanceof String) != text)
            {
                throw new JsonBodyException("input '" + tensor.name + "': data mixes text and numbers");
            }
        }
        return tensor;
    }

    private static long[] decodeShape(final JsonParser parser, final JsonToken start, final String where)
        throws IOException, JsonBodyException
    {
        PredictJson.expect(start, JsonToken.START_ARRAY, where);
        long[] shape = new long[0];
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT)
            {
                throw new JsonBodyException(where + ": must be an array of integers");
            }
            shape = Arrays.copyOf(shape, shape.length + 1);
            shape[shape.length - 1] = parser.getLongValue();
        }
        return shape;
    }

    private static void decodeData(
        final JsonParser parser, final JsonToken token, final List<Object> values, final String where)
        throws IOException, JsonBodyException
    {
        switch (token)
        {
            case START_ARRAY ->
            {
                while (parser.nextToken() != JsonToken.END_ARRAY)
                {
                    decodeData(parser, parser.currentToken(), values, where);
                }
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> values.add(parser.getDoubleValue());
            case VALUE_STRING -> values.add(parser.getText());
            case VALUE_TRUE -> values.add(1.0);
            case VALUE_FALSE -> values.add(0.0);
            default -> throw new JsonBodyException(where + ": elements must be numbers, booleans or strings");
        }
    }

    private static String decodeRequestedOutput(final JsonParser parser, final Model model)
        throws IOException, JsonBodyException
    {
        PredictJson.expect(parser.currentToken(), JsonToken.START_OBJECT, "outputs[]");
        String name = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String field = parser.currentName();
            final JsonToken value = parser.nextToken();
            if ("name".equals(field))
            {
                name = PredictJson.text(parser, value, "outputs[].name");
            }
            else
            {
                parser.skipChildren();
            }
        }
        final String requested = name;
        if (null == requested || model.config().outputs().stream().noneMatch((o) -> o.name().equals(requested)))
        {
            throw new JsonBodyException("outputs: model '" + model.name() + "' has no output '" + requested + "'");
        }
        return requested;
    }

    static void encodeInfer(final JsonGenerator json, final ScoringContext ctx) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model_name", ctx.model().name());
        json.writeStringField("model_version", ctx.version().version());
        if (ctx.requestId().length() > 0)
        {
            json.writeStringField("id", ctx.requestId().toString());
        }
        json.writeObjectFieldStart("parameters");
        json.writeStringField("role", ctx.role().wireName());
        if (ctx.defaultedCount() > 0)
        {
            json.writeStringField("feature_status", FeatureStatusText.write(ctx, new StringBuilder()).toString());
        }
        json.writeEndObject();
        json.writeArrayFieldStart("outputs");
        final List<OutputSpec> outputs = ctx.model().config().outputs();
        for (int j = 0; j < outputs.size(); j++)
        {
            if (!ctx.tensors().outputRequested(j))
            {
                continue;
            }
            json.writeStartObject();
            json.writeStringField("name", outputs.get(j).name());
            json.writeStringField("datatype", "FP32");
            json.writeArrayFieldStart("shape");
            json.writeNumber(ctx.rowCount());
            json.writeNumber(1);
            json.writeEndArray();
            json.writeArrayFieldStart("data");
            for (int row = 0; row < ctx.rowCount(); row++)
            {
                json.writeNumber(ctx.score(row, j));
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
