package io.scoring.monitoring.feedback;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * A version's online accuracy over its window of joined labels.
 *
 * @param auc             exact area under the ROC curve (NaN until both classes were seen).
 * @param logLoss         mean negative log-likelihood, scores clipped to [1e-15, 1 - 1e-15].
 * @param costPerDecision mean cost of the decisions at the threshold under the cost matrix.
 */
public record VersionAccuracy(
    String version, long labels, long positives, double threshold, double auc, double logLoss, double costPerDecision)
{
    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("version", version);
        json.writeNumberField("labels", labels);
        json.writeNumberField("positives", positives);
        json.writeNumberField("threshold", threshold);
        json.writeNumberField("auc", auc);
        json.writeNumberField("log_loss", logLoss);
        json.writeNumberField("cost_per_decision", costPerDecision);
        json.writeEndObject();
    }
}
