package io.scoring.gateway.pipeline;

import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.gateway.rollout.RolloutSamples;
import io.scoring.monitoring.VersionMeters;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelVersion;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.Scorer;

/**
 * The request pipeline, once per request, on the transport thread that decoded it:
 *
 * <pre>
 *   decode (transport) -> route -> enrich from the feature store -> assemble the vector -> score
 *     -> hand a copy to the shadows -> encode (transport) -> record metrics, remember, sample ({@link #finish})
 * </pre>
 *
 * <p>Each step reads and writes the thread's {@link ScoringContext}. Expected failures (unknown model,
 * bad feature, runtime error) end the request with an {@link Outcome} value, never an exception; the
 * transports map it to a status at the edge.
 *
 * <p>Threading: stateless apart from its collaborators; called concurrently by every transport thread.
 * Allocates nothing on the success path once the context's arrays have grown to the request's size.
 */
public final class PredictPipeline
{
    private final ModelRegistry models;
    private final int maxRows;
    private final GatewayMonitoring monitoring;

    /** @param monitoring where {@link #finish} records; null records nothing (benchmarks of the bare path) */
    public PredictPipeline(final ModelRegistry models, final int maxRows, final GatewayMonitoring monitoring)
    {
        this.models = models;
        this.maxRows = maxRows;
        this.monitoring = monitoring;
    }

    public ModelRegistry models()
    {
        return models;
    }

    public int maxRows()
    {
        return maxRows;
    }

    public Outcome predict(final ScoringContext ctx)
    {
        if (ctx.outcome != Outcome.OK)
        {
            return ctx.outcome; // the decoder already rejected it
        }
        if (resolveModel(ctx) != Outcome.OK || checkRowCount(ctx) != Outcome.OK || route(ctx) != Outcome.OK)
        {
            return ctx.outcome;
        }
        try
        {
            if (ctx.stillWanted() != Outcome.OK)
            {
                return ctx.outcome;
            }
            if (ctx.completeTensor)
            {
                ctx.clearStatus(ctx.rowCount * ctx.model.config().featureCount()); // scored as sent: nothing defaulted
            }
            else
            {
                final long lookupStart = System.nanoTime();
                final Outcome assembled = assemble(ctx);
                ctx.lookupNanos = System.nanoTime() - lookupStart;
                if (assembled != Outcome.OK)
                {
                    return ctx.outcome;
                }
            }
            if (ctx.stillWanted() != Outcome.OK) // the feature store may have taken the rest of the budget
            {
                return ctx.outcome;
            }
            final long scoreStart = System.nanoTime();
            if (score(ctx) == Outcome.OK)
            {
                ctx.scoreNanos = System.nanoTime() - scoreStart;
                if (!ctx.shedBackground)
                {
                    ctx.shadowed = ctx.route.offerShadows(ctx.sampleId(), ctx.input, ctx.output, ctx.rowCount, ctx.scoreNanos);
                }
            }
            return ctx.outcome;
        }
        finally
        {
            ctx.route.release();
        }
    }

    /**
     * After the answer is written: records the request's outcome and stage durations in its version's
     * meters, its rows in their segment groups and its rollout window, remembers its score for ground
     * truth, keeps a sampled row for the replay gate and offers it as a sample (unless a shadow took a copy:
     * the shadow's thread offers it then, with both scores). Never blocks; allocation-free.
     */
    public void finish(final ScoringContext ctx)
    {
        if (null == monitoring)
        {
            return;
        }
        final long now = System.nanoTime();
        final long decode = ctx.decodedNanos - ctx.receivedNanos;
        final long encode = now - ctx.encodingNanos;
        final long total = now - ctx.receivedNanos;
        final int outcome = ctx.outcome.ordinal();
        if (null == ctx.version)
        {
            monitoring.unrouted().record(outcome, decode, ctx.lookupNanos, ctx.scoreNanos, encode, total);
            return;
        }
        final VersionMeters meters = GatewayMonitoring.meters(ctx.version, ctx.role);
        meters.record(outcome, decode, ctx.lookupNanos, ctx.scoreNanos, encode, total);
        final RolloutSamples rollout = RolloutSamples.of(ctx.version);
        if (null != rollout && (ctx.outcome == Outcome.OK || ctx.outcome == Outcome.SCORING_FAILED))
        {
            rollout.record(ctx.role, ctx.outcome == Outcome.SCORING_FAILED, total, ctx.output[0], ctx.entityKeys[0]);
        }
        if (ctx.outcome != Outcome.OK)
        {
            return;
        }
        if (!ctx.completeTensor && ctx.model.storeFeatures().length > 0)
        {
            monitoring.recordLookup(ctx.lookupNanos);
        }
        final long epochMillis = System.currentTimeMillis();
        meters.recordSegments(ctx.input, ctx.output, ctx.rowCount);
        if (ctx.requestId.length() > 0)
        {
            meters.rememberPrediction(ctx.requestId, ctx.input, ctx.output[0], epochMillis);
        }
        if (ctx.shedBackground)
        {
            monitoring.onBackgroundShed(ctx.model.name());
            return;
        }
        final CharSequence sampleId = ctx.sampleId();
        if (!meters.sampled(sampleId))
        {
            return;
        }
        if (null != rollout)
        {
            rollout.rememberRow(ctx.input); // the replay gate's recent production rows
        }
        if (ctx.shadowed == 0)
        {
            meters.offerSample(sampleId, epochMillis, ctx.input, ctx.output, ctx.rowCount, ctx.scoreNanos, null);
        }
    }

    /**
     * Ends a decoded request with {@code outcome}, unscored: it is only routed, so {@link #finish} counts it
     * under its model and version (a request that names no served model, under "unknown").
     */
    public void refuse(final ScoringContext ctx, final Outcome outcome, final String message)
    {
        if (ctx.outcome == Outcome.OK && resolveModel(ctx) == Outcome.OK && checkRowCount(ctx) == Outcome.OK
            && route(ctx) == Outcome.OK)
        {
            ctx.route.release();
        }
        ctx.fail(outcome, message);
    }

    private Outcome resolveModel(final ScoringContext ctx)
    {
        if (null == ctx.model)
        {
            ctx.model = models.model(ctx.modelName);
            if (null == ctx.model)
            {
                return ctx.fail(Outcome.MODEL_NOT_FOUND, "model '" + ctx.modelName + "' is not served");
            }
        }
        return Outcome.OK;
    }

    /**
     * Picks the version that answers, by the model's traffic policy: the pinned version, else the
     * canary or the champion by the first row's entity key (a request is routed as a whole). Holds
     * the version until the pipeline releases the route.
     */
    private Outcome route(final ScoringContext ctx)
    {
        final Model model = ctx.model;
        if (!model.route(ctx.entityKeys[0], ctx.versionPin, ctx.route))
        {
            return ctx.fail(Outcome.VERSION_NOT_FOUND, "model '" + model.name() + "' has no version '" +
                ctx.versionPin + "'; loaded: " + model.versions().keySet());
        }
        ctx.version = ctx.route.version();
        ctx.role = ctx.route.role();
        return Outcome.OK;
    }

    private Outcome checkRowCount(final ScoringContext ctx)
    {
        if (ctx.rowCount == 0)
        {
            return ctx.fail(Outcome.INVALID_ARGUMENT, "rows: at least one row is required");
        }
        if (ctx.rowCount > maxRows)
        {
            return ctx.fail(Outcome.TOO_LARGE, "rows: " + ctx.rowCount + " rows, at most " + maxRows + " per request");
        }
        return Outcome.OK;
    }

    /**
     * Builds each row's input vector in model order: the entities' stored features first (one store
     * call for all rows), then the request's features over them (a caller may override a stored
     * value), then defaults for whatever is still missing, each with its reason in the row's status.
     */
    Outcome assemble(final ScoringContext ctx)
    {
        final Model model = ctx.model;
        final ModelConfig config = model.config();
        final int featureCount = config.featureCount();
        final float[] input = ctx.inputCapacity(ctx.rowCount * featureCount);
        final boolean needsStore = model.storeFeatures().length > 0;

        java.util.Arrays.fill(input, 0, ctx.rowCount * featureCount, Float.NaN);
        ctx.clearStatus(ctx.rowCount * featureCount);
        if (needsStore)
        {
            for (int row = 0; row < ctx.rowCount; row++)
            {
                if (ctx.entityKeys[row].length() == 0)
                {
                    return ctx.fail(Outcome.INVALID_ARGUMENT,
                        "row " + row + ": '" + config.entityKey() + "' (the entity key) is required");
                }
            }
            model.lookupStoredFeatures(ctx.entityKeys, ctx.rowCount, input, ctx.cellStatus, ctx.deadlineNanos());
        }

        for (int i = 0; i < ctx.pairCount; i++)
        {
            if (applyRequestFeature(ctx, config, input, i) != Outcome.OK)
            {
                return ctx.outcome;
            }
        }

        return applyDefaults(ctx, config, input);
    }

    private static Outcome applyRequestFeature(
        final ScoringContext ctx, final ModelConfig config, final float[] input, final int pair)
    {
        final int row = ctx.pairRow[pair];
        final CharSequence name = ctx.pairName[pair];
        final FeatureSpec feature = config.feature(name);
        if (null == feature)
        {
            return ctx.fail(Outcome.INVALID_ARGUMENT, "row " + row + ", feature '" + name +
                "': model '" + config.name() + "' has no such feature");
        }

        final CharSequence text = ctx.pairText[pair];
        final float value;
        if (feature.isCategorical())
        {
            if (null == text)
            {
                return ctx.fail(Outcome.INVALID_ARGUMENT, "row " + row + ", feature '" + name +
                    "': must be a category name, one of " + feature.categories());
            }
            final int code = feature.categoryCode(text);
            if (code == FeatureSpec.UNKNOWN_CATEGORY)
            {
                return ctx.fail(Outcome.INVALID_ARGUMENT, "row " + row + ", feature '" + name +
                    "': unknown category '" + text + "', expected one of " + feature.categories());
            }
            value = code;
        }
        else
        {
            final double number = ctx.pairNumber[pair];
            if (null != text || !Double.isFinite(number))
            {
                return ctx.fail(Outcome.INVALID_ARGUMENT, "row " + row + ", feature '" + name +
                    "': must be a finite number" + (null != text ? ", got text '" + text + "'" : ""));
            }
            value = (float)number;
        }

        final int slot = row * config.featureCount() + feature.index();
        input[slot] = value;
        ctx.cellStatus[slot] = 0; // the request supplied what the store lacked
        return Outcome.OK;
    }

    private static Outcome applyDefaults(final ScoringContext ctx, final ModelConfig config, final float[] input)
    {
        final int featureCount = config.featureCount();
        for (int row = 0; row < ctx.rowCount; row++)
        {
            final int base = row * featureCount;
            for (int f = 0; f < featureCount; f++)
            {
                if (!Float.isNaN(input[base + f]))
                {
                    continue;
                }
                final FeatureSpec feature = config.features().get(f);
                if (!feature.hasDefault())
                {
                    return ctx.fail(Outcome.INVALID_ARGUMENT,
                        "row " + row + ", feature '" + feature.name() + "': required, and missing from the request");
                }
                input[base + f] = feature.defaultValue();
                ctx.defaultedCount++;
                if (feature.source() == FeatureSpec.Source.REQUEST)
                {
                    ctx.cellStatus[base + f] = ScoringContext.STATUS_NOT_IN_REQUEST;
                }
            }
        }
        return Outcome.OK;
    }

    private static Outcome score(final ScoringContext ctx)
    {
        final ModelVersion version = ctx.version;
        final float[] output = ctx.outputCapacity(ctx.rowCount * ctx.model.config().outputCount());
        if (version.scorer().score(ctx.input, ctx.rowCount, output) != Scorer.OK)
        {
            return ctx.fail(Outcome.SCORING_FAILED,
                "model '" + version.model() + "' version '" + version.version() + "' failed to score");
        }
        return Outcome.OK;
    }
}
