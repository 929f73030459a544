package io.scoring.training;

import io.scoring.monitoring.MonitoredFeature;
import io.scoring.monitoring.ReferenceProfile;
import io.scoring.proto.onnx.ModelProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reproducible training command: German Credit in, the gateway's demo out.
 *
 * <pre>
 *   mvn -B -q install -DskipTests &amp;&amp; mvn -B -q -pl training exec:java
 * </pre>
 *
 * Reads {@code data/credit-g.arff}, splits it 70/30 (stratified, seed {@value #SEED}), trains version 1
 * (logistic regression, the champion) and version 2 (gradient-boosted trees, the challenger) with
 * XGBoost on the training part, exports both as ONNX, checks every exported graph in ONNX Runtime
 * against XGBoost's own predictions on all 1000 rows, and writes, under the repository root:
 *
 * <pre>
 *   gateway/src/main/resources/demo/models/credit-risk/model.json
 *   gateway/src/main/resources/demo/models/credit-risk/{1,2}/model.onnx, metrics.json
 *   gateway/src/main/resources/demo/features/applicants.snapshot
 *   gateway/src/test/resources/demo/credit-risk-test-set.csv
 *   training/REPORT.md
 * </pre>
 *
 * Deterministic: fixed seeds, one XGBoost thread, no timestamps; two runs write identical bytes.
 */
public final class TrainCreditRisk
{
    /** The seed of the split and of XGBoost. */
    public static final long SEED = 42L;
    public static final double TEST_FRACTION = 0.3;
    static final String CHAMPION = "1";

    private TrainCreditRisk()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        final Path modelDir = root.resolve("gateway/src/main/resources/demo/models").resolve(ModelJsonWriter.MODEL_NAME);

        final CreditData data = CreditData.from(ArffReader.read(root.resolve("data/credit-g.arff")));
        final StratifiedSplit split = StratifiedSplit.of(data.labels(), TEST_FRACTION, SEED);
        final List<ModelFeature> features = ModelFeature.of(data, split.train());
        final float[] testLabels = data.labels(split.test());

        final Trained<LinearModel> logistic = LogisticRegressionTrainer.train(data, split.train(), SEED);
        final VersionReport v1 = export(
            "1", "logistic regression (XGBoost gblinear)", "champion",
            OnnxExport.logisticRegression(logistic.model(), docString("1", "logistic regression")),
            logistic, data, split, testLabels, modelDir);

        final Trained<TreeEnsemble> boosted = GradientBoostedTreesTrainer.train(data, split.train(), SEED);
        final VersionReport v2 = export(
            "2", "gradient-boosted trees (XGBoost gbtree, " + boosted.model().trees().size() + " trees)", "challenger",
            OnnxExport.gradientBoostedTrees(boosted.model(), data.featureCount(), docString("2", "gradient-boosted trees")),
            boosted, data, split, testLabels, modelDir);

        ModelJsonWriter.write(modelDir.resolve("model.json"), features, CHAMPION,
            "Probability that a German Credit applicant is a bad credit risk. " +
            "Version 1, logistic regression, is the champion; version 2, gradient-boosted trees, the challenger.");
        FeatureSnapshot.write(root.resolve("gateway/src/main/resources/demo/features/applicants.snapshot"), data, features);
        TestSetCsv.write(root.resolve("gateway/src/test/resources/demo/credit-risk-test-set.csv"), data, features, split);

        final String report = VersionReport.markdown(List.of(v1, v2), String.format(
            "Split: stratified %d/%d (train/test) of %d applicants, seed %d; test part: %d applicants, %d bad.",
            split.train().length, split.test().length, data.size(), SEED, split.test().length, (int)sum(testLabels)));
        Files.write(root.resolve("training/REPORT.md"), report.getBytes(StandardCharsets.UTF_8));
        System.out.print(report);
    }

    private static VersionReport export(
        final String version,
        final String algorithm,
        final String role,
        final ModelProto onnx,
        final Trained<?> trained,
        final CreditData data,
        final StratifiedSplit split,
        final float[] testLabels,
        final Path modelDir) throws Exception
    {
        final byte[] bytes = onnx.toByteArray();
        final float[] served = OnnxRuntimeCheck.score(bytes, data.rows());
        final double worst = OnnxRuntimeCheck.requireAgreement(
            "credit-risk version " + version, trained.xgboostProbabilities(), served);

        final Path versionDir = modelDir.resolve(version);
        Files.createDirectories(versionDir);
        Files.write(versionDir.resolve("model.onnx"), bytes);
        referenceProfile(data, split).write(versionDir.resolve(ReferenceProfile.FILE_NAME));

        final VersionReport report = new VersionReport(
            version, algorithm, role,
            Evaluation.of(CreditData.select(served, split.test()), testLabels),
            worst, trained.hyperParameters());
        report.writeMetrics(versionDir.resolve("metrics.json"));
        return report;
    }

    /** What the version's inputs looked like in training: the reference its online drift is measured against. */
    private static ReferenceProfile referenceProfile(final CreditData data, final StratifiedSplit split)
    {
        final List<MonitoredFeature> specs = new ArrayList<>();
        for (final ArffAttribute attribute : data.features())
        {
            specs.add(attribute.categories().isEmpty()
                ? MonitoredFeature.numeric(attribute.name())
                : MonitoredFeature.categorical(attribute.name(), attribute.categories()));
        }
        return ReferenceProfile.build(specs, data.rows(split.train()));
    }

    private static String docString(final String version, final String algorithm)
    {
        return "credit-risk version " + version + ": " + algorithm + " trained on German Credit (UCI Statlog, CC BY 4.0) " +
            "by io.scoring.training.TrainCreditRisk. Input features: float [batch, 20], model.json's features in order, " +
            "categoricals as category index. Output probability: float [batch, 1], P(class = bad).";
    }

    private static double sum(final float[] values)
    {
        double sum = 0;
        for (final float v : values)
        {
            sum += v;
        }
        return sum;
    }
}
