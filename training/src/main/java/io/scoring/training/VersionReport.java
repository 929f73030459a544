package io.scoring.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What one trained version is and how it did on the test split: its metrics.json and a REPORT.md row. */
record VersionReport(
    String version,
    String algorithm,
    String role,
    Evaluation test,
    double onnxMaxDifference,
    Map<String, Object> hyperParameters)
{
    void writeMetrics(final Path file) throws IOException
    {
        final Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", ModelJsonWriter.MODEL_NAME);
        metrics.put("version", version);
        metrics.put("role", role);
        metrics.put("algorithm", algorithm);
        metrics.put("evaluated_on", "test split: " + test.applicants() + " applicants, " + test.bad() + " bad");
        metrics.put("auc", Json.rounded(test.auc()));
        metrics.put("accuracy", Json.rounded(test.accuracy()));
        metrics.put("accuracy_threshold", Evaluation.ACCURACY_THRESHOLD);

        final Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("threshold", Json.rounded(Evaluation.COST_THRESHOLD));
        cost.put("bad_classed_good", test.badClassedGood());
        cost.put("good_classed_bad", test.goodClassedBad());
        cost.put("total", test.cost());
        cost.put("per_applicant", Json.rounded(test.costPerApplicant()));
        cost.put("matrix", "bad classed as good costs " + Evaluation.COST_BAD_AS_GOOD +
            ", good classed as bad costs " + Evaluation.COST_GOOD_AS_BAD);
        metrics.put("cost", cost);

        metrics.put("onnx_runtime_max_abs_difference", onnxMaxDifference);
        metrics.put("hyper_parameters", hyperParameters);
        Json.write(file, metrics);
    }

    /** The REPORT.md table, one row per version and a reference row: everyone classed bad. */
    static String markdown(final List<VersionReport> versions, final String splitDescription)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# credit-risk: test-set report\n\n");
        md.append(splitDescription).append("\n\n");
        md.append("| version | model | role | AUC | accuracy @ 0.5 | cost @ P(bad) >= 1/6 | cost per applicant |\n");
        md.append("|---|---|---|---:|---:|---:|---:|\n");
        Evaluation any = null;
        for (final VersionReport v : versions)
        {
            any = v.test;
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %d (%d bad as good, %d good as bad) | %.3f |\n",
                v.version, v.algorithm, v.role, v.test.auc(), v.test.accuracy(), v.test.cost(),
                v.test.badClassedGood(), v.test.goodClassedBad(), v.test.costPerApplicant()));
        }
        if (any != null)
        {
            final int good = any.applicants() - any.bad();
            md.append(String.format(Locale.ROOT, "| - | everyone classed bad (reference) | - | 0.500 | %.3f | %d | %.3f |\n",
                (double)any.bad() / any.applicants(), good * Evaluation.COST_GOOD_AS_BAD,
                (double)good * Evaluation.COST_GOOD_AS_BAD / any.applicants()));
        }
        md.append("\nCost matrix (from the data set): a bad applicant classed as good costs ")
            .append(Evaluation.COST_BAD_AS_GOOD).append(", a good applicant classed as bad costs ")
            .append(Evaluation.COST_GOOD_AS_BAD)
            .append("; 1/6 is the threshold that minimizes expected cost for a calibrated P(bad). ")
            .append("Scores are ONNX Runtime's on the exported graphs (what the gateway serves).\n");
        return md.toString();
    }
}
