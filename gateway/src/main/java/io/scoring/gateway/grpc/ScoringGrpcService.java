package io.scoring.gateway.grpc;

import io.grpc.stub.StreamObserver;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureStatus;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.Row;
import io.scoring.proto.v1.RowResult;
import io.scoring.proto.v1.ScoringServiceGrpc;

import java.util.Map;

/** The own scoring API over gRPC: decode the request into the thread's context, run the pipeline, encode. */
final class ScoringGrpcService extends ScoringServiceGrpc.ScoringServiceImplBase
{
    private final PredictPipeline pipeline;

    ScoringGrpcService(final PredictPipeline pipeline)
    {
        this.pipeline = pipeline;
    }

    @Override
    public void predict(final PredictRequest request, final StreamObserver<PredictResponse> responses)
    {
        final ScoringContext ctx = ScoringContext.ofThread()
            .reset(request.getModel(), request.getVersion(), request.getRequestId());
        for (final Row row : request.getRowsList())
        {
            final int index = ctx.addRow(row.getEntityKey());
            for (final Map.Entry<String, FeatureValue> feature : row.getFeaturesMap().entrySet())
            {
                final FeatureValue value = feature.getValue();
                switch (value.getKindCase())
                {
                    case NUMBER_VALUE -> ctx.addNumber(index, feature.getKey(), value.getNumberValue());
                    case STRING_VALUE -> ctx.addText(index, feature.getKey(), value.getStringValue());
                    default -> ctx.fail(Outcome.INVALID_ARGUMENT,
                        "row " + index + ", feature '" + feature.getKey() + "': has no value");
                }
            }
        }

        ctx.decoded(System.nanoTime());

        final Outcome outcome = pipeline.predict(ctx);
        ctx.encoding(System.nanoTime());
        if (outcome != Outcome.OK)
        {
            responses.onError(outcome.grpcStatus(ctx.errorMessage()).asRuntimeException());
        }
        else
        {
            responses.onNext(encode(ctx));
            responses.onCompleted();
        }
        pipeline.finish(ctx);
    }

    private static PredictResponse encode(final ScoringContext ctx)
    {
        final PredictResponse.Builder response = PredictResponse.newBuilder()
            .setRequestId(ctx.requestId().toString())
            .setModel(ctx.model().name())
            .setVersion(ctx.version().version())
            .setRole(ctx.role().wireName());
        final int featureCount = ctx.model().config().featureCount();
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            final RowResult.Builder result = response.addResultsBuilder();
            for (int j = 0; j < ctx.outputCount(); j++)
            {
                result.addScores(ctx.score(row, j));
            }
            if (ctx.defaultedCount() > 0)
            {
                for (int f = 0; f < featureCount; f++)
                {
                    final byte status = ctx.status(row, f);
                    if (status != 0)
                    {
                        result.addFeatureStatusBuilder()
                            .setFeature(ctx.model().config().features().get(f).name())
                            .setReason(FeatureStatus.Reason.forNumber(status));
                    }
                }
            }
        }
        return response.build();
    }
}
