package io.scoring.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.Row;

import java.util.List;

/** Builds the own API's request for a demo applicant: its id and its request-time features. */
final class DemoRequests
{
    private DemoRequests()
    {
    }

    static PredictRequest.Builder ownRequest(final DemoTestSet demo, final DemoTestSet.Applicant applicant)
    {
        final Row.Builder row = Row.newBuilder().setEntityKey(applicant.id());
        for (final String feature : demo.requestFeatures())
        {
            final Object value = demo.requestValue(applicant, feature);
            row.putFeatures(feature, value instanceof String text
                ? FeatureValue.newBuilder().setStringValue(text).build()
                : FeatureValue.newBuilder().setNumberValue((Double)value).build());
        }
        return PredictRequest.newBuilder().setModel("credit-risk").addRows(row);
    }

    /** The own API's JSON body for these applicants, optionally pinned to a version. */
    static String ownJson(final DemoTestSet demo, final List<DemoTestSet.Applicant> applicants, final String version)
        throws Exception
    {
        final var body = JsonNodeFactory.instance.objectNode().put("model", "credit-risk").put("request_id", "json-1");
        if (null != version)
        {
            body.put("version", version);
        }
        final var rows = body.putArray("rows");
        for (final DemoTestSet.Applicant applicant : applicants)
        {
            final var row = rows.addObject().put("entity_key", applicant.id());
            final var features = row.putObject("features");
            for (final String feature : demo.requestFeatures())
            {
                final Object value = demo.requestValue(applicant, feature);
                if (value instanceof String text)
                {
                    features.put(feature, text);
                }
                else
                {
                    features.put(feature, (Double)value);
                }
            }
        }
        return body.toString();
    }
}
