package io.scoring.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.gateway.grpc.RandomInferRequests;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded V2 inference bodies for {@code /v2/models/credit-risk/infer}: the typed requests of
 * {@link RandomInferRequests} written as JSON, data flat or nested by the shape, booleans as JSON
 * booleans, with parameters of any JSON shape here and there.
 */
public final class RandomInferBodies
{
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private RandomInferBodies()
    {
    }

    public static String body(final Random random)
    {
        ModelInferRequest request = RandomInferRequests.request(random);
        while (request.getRawInputContentsCount() > 0)
        {
            request = RandomInferRequests.request(random);
        }
        return body(random, request);
    }

    /** The request's JSON form (its model goes in the path, so it is left out). */
    public static String body(final Random random, final ModelInferRequest request)
    {
        final ObjectNode body = JSON.objectNode();
        if (!request.getId().isEmpty())
        {
            body.put("id", request.getId());
        }
        if (random.nextInt(4) == 0)
        {
            body.set("parameters", parameters(random, 3));
        }
        final ArrayNode inputs = body.putArray("inputs");
        for (final ModelInferRequest.InferInputTensor input : request.getInputsList())
        {
            final ObjectNode tensor = inputs.addObject().put("name", input.getName()).put("datatype", input.getDatatype());
            final ArrayNode shape = tensor.putArray("shape");
            input.getShapeList().forEach(shape::add);
            final List<Object> values = values(input.getContents(), input.getDatatype());
            final int columns = input.getShapeCount() == 2 ? (int)Math.max(1, input.getShape(1)) : 0;
            if (values.size() == 1 && random.nextInt(10) == 0)
            {
                tensor.set("data", value(values.get(0)));
            }
            else if (columns > 0 && values.size() % columns == 0 && random.nextBoolean())
            {
                final ArrayNode rows = tensor.putArray("data");
                for (int i = 0; i < values.size(); i += columns)
                {
                    final ArrayNode row = rows.addArray();
                    values.subList(i, i + columns).forEach((v) -> row.add(value(v)));
                }
            }
            else
            {
                final ArrayNode data = tensor.putArray("data");
                values.forEach((v) -> data.add(value(v)));
            }
            if (random.nextInt(8) == 0)
            {
                tensor.set("parameters", parameters(random, 2));
            }
        }
        if (request.getOutputsCount() > 0)
        {
            final ArrayNode outputs = body.putArray("outputs");
            request.getOutputsList().forEach((o) -> outputs.addObject().put("name", o.getName()));
        }
        return body.toString();
    }

    private static List<Object> values(final InferTensorContents contents, final String datatype)
    {
        final List<Object> values = new ArrayList<>();
        contents.getBytesContentsList().forEach((b) -> values.add(b.toStringUtf8()));
        contents.getFp32ContentsList().forEach((v) -> values.add((double)v));
        contents.getFp64ContentsList().forEach(values::add);
        contents.getIntContentsList().forEach((v) -> values.add((double)v));
        contents.getInt64ContentsList().forEach((v) -> values.add((double)v));
        contents.getUintContentsList().forEach((v) -> values.add((double)Integer.toUnsignedLong(v)));
        contents.getUint64ContentsList().forEach((v) -> values.add(Double.parseDouble(Long.toUnsignedString(v))));
        contents.getBoolContentsList().forEach(values::add);
        return values;
    }

    private static com.fasterxml.jackson.databind.JsonNode value(final Object value)
    {
        if (value instanceof String text)
        {
            return JSON.textNode(text);
        }
        if (value instanceof Boolean flag)
        {
            return JSON.booleanNode(flag);
        }
        final double number = (Double)value;
        return number == Math.rint(number) && Math.abs(number) < 1e15 ? JSON.numberNode((long)number) : JSON.numberNode(number);
    }

    private static ObjectNode parameters(final Random random, final int depth)
    {
        final ObjectNode parameters = JSON.objectNode();
        for (int i = random.nextInt(3); i >= 0; i--)
        {
            final String key = "p" + random.nextInt(100);
            switch (random.nextInt(depth > 0 ? 6 : 4))
            {
                case 0 -> parameters.put(key, random.nextInt());
                case 1 -> parameters.put(key, random.nextBoolean());
                case 2 -> parameters.putNull(key);
                case 3 -> parameters.put(key, "v\u00e9\"" + random.nextInt(10));
                case 4 -> parameters.set(key, parameters(random, depth - 1));
                default -> parameters.putArray(key).add(1.5).add("x").add(parameters(random, depth - 1)).addArray();
            }
        }
        return parameters;
    }
}
