package io.scoring.gateway.v2;

import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureStatus;
import io.scoring.router.model.ModelConfig;

/**
 * The defaulted features of a V2 answer, as the JSON text of its {@code feature_status} parameter
 * (V2 parameters are scalars): {@code [{"row":0,"feature":"age","reason":"ENTITY_NOT_FOUND"}]}.
 * Reasons are named as in the own API's {@code FeatureStatus.Reason}.
 *
 * <p>Stateless; appends to the caller's reused builder, so it allocates nothing once that has grown.
 */
public final class FeatureStatusText
{
    private FeatureStatusText()
    {
    }

    /** Empties {@code text} and writes the scored request's feature statuses into it. */
    public static StringBuilder write(final ScoringContext ctx, final StringBuilder text)
    {
        text.setLength(0);
        text.append('[');
        final ModelConfig config = ctx.model().config();
        final int featureCount = config.featureCount();
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            for (int f = 0; f < featureCount; f++)
            {
                final byte status = ctx.status(row, f);
                if (status != 0)
                {
                    if (text.length() > 1)
                    {
                        text.append(',');
                    }
                    text.append("{\"row\":").append(row)
                        .append(",\"feature\":\"").append(config.features().get(f).name())
                        .append("\",\"reason\":\"").append(FeatureStatus.Reason.forNumber(status).name())
                        .append("\"}");
                }
            }
        }
        return text.append(']');
    }
}
