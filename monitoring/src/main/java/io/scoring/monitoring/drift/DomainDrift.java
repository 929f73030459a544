package io.scoring.monitoring.drift;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * A version's domain-classifier drift at its last run: how well a classifier tells the reference sample
 * from the recent window, cross-validated.
 *
 * @param auc              out-of-fold AUC of reference (0) vs. window (1): 0.5 = indistinguishable.
 * @param aucStandardError Hanley-McNeil standard error of that AUC.
 * @param pValue           P(AUC at least this high | no drift), from the Mann-Whitney null.
 * @param alarm            p below the drift alpha and the AUC at least the configured minimum.
 * @param runMillis        what the run cost, wall-clock on the drift thread.
 * @param importances      features by their share of the classifier's split gain, largest first.
 */
public record DomainDrift(
    long evaluatedAtMillis,
    int referenceRows,
    int windowRows,
    double auc,
    double aucStandardError,
    double pValue,
    boolean alarm,
    double runMillis,
    List<Importance> importances)
{
    public record Importance(String feature, double share)
    {
    }

    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeObjectFieldStart("domain_classifier");
        json.writeNumberField("evaluated_at_millis", evaluatedAtMillis);
        json.writeNumberField("reference_rows", referenceRows);
        json.writeNumberField("window_rows", windowRows);
        json.writeNumberField("auc", auc);
        json.writeNumberField("auc_standard_error", aucStandardError);
        json.writeNumberField("p_value", pValue);
        json.writeBooleanField("alarm", alarm);
        json.writeNumberField("run_millis", runMillis);
        json.writeArrayFieldStart("importances");
        for (final Importance importance : importances)
        {
            json.writeStartObject();
            json.writeStringField("feature", importance.feature());
            json.writeNumberField("share", importance.share());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
