package io.scoring.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Trains the overload benchmark's expensive model: an MLP ({@link MlpTrainer}) on German Credit, the demo's
 * split and features, exported as ONNX and checked in ONNX Runtime against the trainer's own predictions.
 * Writes a model repository the gateway serves as {@code credit-risk}, version 1, with the demo's model.json,
 * so the demo's feature store and the load generator's requests fit it unchanged:
 *
 * <pre>
 *   java -cp training/target/classes:... io.scoring.training.TrainOverloadMlp REPO_ROOT OUT_DIR [WIDTHS]
 *   (bench/scripts/overload.sh runs it through Maven: mvn -q -pl training exec:java@overload-mlp)
 * </pre>
 *
 * Not committed as a file: the weights are some MiB, and the command makes the same bytes for a seed.
 */
public final class TrainOverloadMlp
{
    /** Three hidden layers: about 1.6 M multiply-adds per row, a millisecond on one core. */
    static final int[] HIDDEN_DEFAULT = {1024, 1024, 512};
    static final int EPOCHS = 8;

    private TrainOverloadMlp()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        final Path out = Path.of(args.length > 1 ? args[1] : "target/overload/mlp-models").toAbsolutePath();
        final int[] hidden = args.length > 2
            ? java.util.Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray() : HIDDEN_DEFAULT;

        final CreditData data = CreditData.from(ArffReader.read(root.resolve("data/credit-g.arff")));
        final StratifiedSplit split = StratifiedSplit.of(data.labels(), TrainCreditRisk.TEST_FRACTION, TrainCreditRisk.SEED);
        final List<ModelFeature> features = ModelFeature.of(data, split.train());
        final Trained<MlpTrainer.Mlp> trained = MlpTrainer.train(data, split.train(), hidden, EPOCHS, TrainCreditRisk.SEED);
        final MlpTrainer.Mlp mlp = trained.model();

        final byte[] onnx = OnnxExport.mlp(mlp.widths(), mlp.weights(), mlp.biases(),
            "credit-risk MLP " + java.util.Arrays.toString(mlp.widths()) + " trained on German Credit (UCI Statlog, CC BY 4.0) " +
            "by io.scoring.training.TrainOverloadMlp, for the overload benchmark. Input and output as the demo's versions.")
            .toByteArray();
        final float[] served = OnnxRuntimeCheck.score(onnx, data.rows());
        double worst = 0;
        for (int i = 0; i < served.length; i++)
        {
            worst = Math.max(worst, Math.abs(served[i] - trained.xgboostProbabilities()[i]));
        }
        // sums of a thousand products in another order: agreement to float precision, not bit for bit
        if (worst > 1e-4)
        {
            throw new IllegalStateException("ONNX Runtime disagrees with the trainer by " + worst);
        }

        final Path modelDir = out.resolve(ModelJsonWriter.MODEL_NAME);
        Files.createDirectories(modelDir.resolve("1"));
        Files.write(modelDir.resolve("1/model.onnx"), onnx);
        ModelJsonWriter.write(modelDir.resolve("model.json"), features, "1",
            "German Credit MLP " + java.util.Arrays.toString(mlp.widths()) + ": the overload benchmark's expensive model.");
        final Evaluation test = Evaluation.of(CreditData.select(served, split.test()), data.labels(split.test()));
        System.out.printf(Locale.ROOT, "MLP %s: test AUC %.3f, accuracy %.3f; ONNX Runtime agrees within %.1e; wrote %s (%d bytes)%n",
            java.util.Arrays.toString(mlp.widths()), test.auc(), test.accuracy(), worst, modelDir, onnx.length);
    }
}
