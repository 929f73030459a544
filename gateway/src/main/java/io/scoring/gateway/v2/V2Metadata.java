package io.scoring.gateway.v2;

import io.scoring.router.Model;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.OutputSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * What V2 ModelMetadata says about a model, for both transports: the named-input form (the entity
 * key and the request-time features; the store supplies the rest) and the outputs.
 */
public final class V2Metadata
{
    /** The V2 platform string for models served by ONNX Runtime or an equivalent native evaluator. */
    public static final String PLATFORM = "onnxruntime_onnx";

    /** A tensor's name, datatype and shape, -1 marking the batch dimension. */
    public record Tensor(String name, String datatype, long[] shape)
    {
    }

    private V2Metadata()
    {
    }

    public static List<Tensor> inputs(final Model model)
    {
        final List<Tensor> inputs = new ArrayList<>();
        if (model.storeFeatures().length > 0)
        {
            inputs.add(new Tensor(model.config().entityKey(), "BYTES", new long[]{-1}));
        }
        for (final FeatureSpec feature : model.config().features())
        {
            if (feature.source() == FeatureSpec.Source.REQUEST)
            {
                inputs.add(new Tensor(feature.name(), feature.isCategorical() ? "BYTES" : "FP32", new long[]{-1}));
            }
        }
        return inputs;
    }

    public static List<Tensor> outputs(final Model model)
    {
        final List<Tensor> outputs = new ArrayList<>();
        for (final OutputSpec output : model.config().outputs())
        {
            outputs.add(new Tensor(output.name(), "FP32", new long[]{-1, 1}));
        }
        return outputs;
    }
}
