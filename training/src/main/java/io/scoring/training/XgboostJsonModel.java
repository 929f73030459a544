package io.scoring.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Reads what the exporters need out of a booster's JSON model ({@code Booster.toByteArray("json")}).
 *
 * <p>The JSON model, unlike the text dump, carries every float exactly (shortest round-trip form) and
 * the learner's base_score. Anything this reader does not understand (another objective, several
 * targets, categorical splits, vector leaves) fails here rather than exporting a wrong graph.
 */
final class XgboostJsonModel
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode learner;

    private XgboostJsonModel(final JsonNode learner)
    {
        this.learner = learner;
    }

    static XgboostJsonModel of(final Booster booster) throws XGBoostError, IOException
    {
        final JsonNode learner = JSON.readTree(booster.toByteArray("json")).path("learner");
        final String objective = learner.path("objective").path("name").asText();
        if (!"binary:logistic".equals(objective))
        {
            throw new IllegalStateException("expected objective binary:logistic, the model has '" + objective + "'");
        }
        final JsonNode params = learner.path("learner_model_param");
        if (params.path("num_target").asInt(1) != 1 || params.path("num_class").asInt(0) > 1)
        {
            throw new IllegalStateException("expected one target, the model has " + params);
        }
        return new XgboostJsonModel(learner);
    }

    /**
     * The margin every prediction starts from. XGBoost stores base_score as a probability
     * (e.g. "[5E-1]" since 3.x, "5E-1" before), and binary:logistic maps it to margin space with logit;
     * 0.5 gives 0. When base_score is not set, XGBoost 2+ estimates it from the labels; reading it back
     * here makes the export right either way.
     */
    float baseMargin()
    {
        final String text = learner.path("learner_model_param").path("base_score").asText().replace("[", "").replace("]", "");
        final float baseScore = Float.parseFloat(text.split(",")[0].strip());
        return (float)-Math.log(1.0 / baseScore - 1.0);
    }

    /** gblinear: the weights per feature, then the bias (one output group). */
    float[] linearWeightsThenBias()
    {
        final JsonNode booster = requireBooster("gblinear");
        return floats(booster.path("model").path("weights"));
    }

    /** gbtree: every tree, in boosting order. */
    List<Tree> trees()
    {
        final JsonNode model = requireBooster("gbtree").path("model");
        for (final JsonNode group : model.path("tree_info"))
        {
            if (group.asInt() != 0)
            {
                throw new IllegalStateException("expected every tree in output group 0");
            }
        }
        final List<Tree> trees = new ArrayList<>();
        for (final JsonNode tree : model.path("trees"))
        {
            trees.add(tree(tree));
        }
        return trees;
    }

    private JsonNode requireBooster(final String name)
    {
        final JsonNode booster = learner.path("gradient_booster");
        if (!name.equals(booster.path("name").asText()))
        {
            throw new IllegalStateException("expected booster " + name + ", the model has " + booster.path("name"));
        }
        return booster;
    }

    private static Tree tree(final JsonNode tree)
    {
        if (tree.path("tree_param").path("size_leaf_vector").asInt(1) > 1)
        {
            throw new IllegalStateException("vector leaves are not supported");
        }
        for (final JsonNode type : tree.path("split_type"))
        {
            if (type.asInt() != 0)
            {
                throw new IllegalStateException("categorical splits are not supported");
            }
        }
        final int[] left = ints(tree.path("left_children"));
        final int[] right = ints(tree.path("right_children"));
        final int[] feature = ints(tree.path("split_indices"));
        final float[] conditions = floats(tree.path("split_conditions"));
        final int[] defaultLeft = ints(tree.path("default_left"));

        // XGBoost keeps a leaf's value in the same slot as a split's threshold.
        final int n = left.length;
        final float[] threshold = new float[n];
        final float[] leafValue = new float[n];
        final boolean[] missingGoesLeft = new boolean[n];
        for (int i = 0; i < n; i++)
        {
            if (left[i] == Tree.LEAF)
            {
                leafValue[i] = conditions[i];
            }
            else
            {
                threshold[i] = conditions[i];
                missingGoesLeft[i] = defaultLeft[i] != 0;
            }
        }
        return new Tree(left, right, feature, threshold, missingGoesLeft, leafValue);
    }

    private static int[] ints(final JsonNode array)
    {
        final int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++)
        {
            final JsonNode value = array.get(i);
            values[i] = value.isBoolean() ? (value.asBoolean() ? 1 : 0) : value.asInt();
        }
        return values;
    }

    private static float[] floats(final JsonNode array)
    {
        final float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = (float)array.get(i).asDouble();
        }
        return values;
    }
}
