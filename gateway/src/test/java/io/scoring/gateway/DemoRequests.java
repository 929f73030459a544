package io.scoring.gateway;

import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.Row;

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
}
