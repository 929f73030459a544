package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.scoring.gateway.v2.V2Metadata;
import io.scoring.router.Model;
import io.scoring.router.ModelVersion;

import java.io.IOException;
import java.util.List;

/**
 * The Open Inference Protocol's model metadata as JSON ({@code GET /v2/models/{m}} and
 * {@code /v2/models/{m}/versions/{v}}, whose outputs are that version's): off the hot path, with Jackson.
 */
final class V2MetadataJson
{
    private V2MetadataJson()
    {
    }

    /** @param described the version whose outputs are given: the asked one, or the champion when none was asked */
    static void encodeModelMetadata(final JsonGenerator json, final Model model, final String version, final ModelVersion described)
        throws IOException
    {
        json.writeStartObject();
        json.writeStringField("name", model.name());
        json.writeArrayFieldStart("versions");
        for (final String name : null == version ? model.versions().keySet() : List.of(version))
        {
            json.writeString(name);
        }
        json.writeEndArray();
        json.writeStringField("platform", V2Metadata.PLATFORM);
        writeTensors(json, "inputs", V2Metadata.inputs(model));
        writeTensors(json, "outputs", V2Metadata.outputs(described));
        json.writeEndObject();
    }

    private static void writeTensors(final JsonGenerator json, final String field, final List<V2Metadata.Tensor> tensors)
        throws IOException
    {
        json.writeArrayFieldStart(field);
        for (final V2Metadata.Tensor tensor : tensors)
        {
            json.writeStartObject();
            json.writeStringField("name", tensor.name());
            json.writeStringField("datatype", tensor.datatype());
            json.writeArrayFieldStart("shape");
            for (final long dim : tensor.shape())
            {
                json.writeNumber(dim);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
