package io.scoring.gateway.v2;

import io.scoring.router.Model;
import io.scoring.router.ModelVersion;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.InputSpec;
import io.scoring.router.runtime.OutputForm;

import java.util.ArrayList;
import java.util.List;

/**
 * What V2 ModelMetadata says about a model, for both transports: the named-input form (the entity
 * key and the request-time features; the store supplies the rest), then the graph's own inputs (the
 * complete-input form, e.g. skl2onnx's {@code numeric} FP32 {@code [-1, 7]} and {@code categorical}
 * BYTES {@code [-1, 13]}), and the outputs as the asked version's graph gives them ({@link OutputForm}):
 * versions of one model share its model.json, but not their graphs' output forms (one version's
 * {@code output_label} may be INT64, the next one's BYTES).
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
        for (final InputSpec input : model.config().inputs())
        {
            inputs.add(new Tensor(input.name(), input.type().v2Name(), new long[]{-1, input.width()}));
        }
        return inputs;
    }

    /** The version's outputs, as its graph gives them. */
    public static List<Tensor> outputs(final ModelVersion described)
    {
        final List<Tensor> outputs = new ArrayList<>();
        for (final OutputForm output : described.scorer().outputForms())
        {
            outputs.add(new Tensor(output.name(), output.datatype(), output.shape()));
        }
        return outputs;
    }
}
