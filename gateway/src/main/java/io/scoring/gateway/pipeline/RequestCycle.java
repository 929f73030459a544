package io.scoring.gateway.pipeline;

/**
 * One request, from its bytes to its answer, the same for every protocol on every transport:
 *
 * <pre>
 *   receive -> decode ({@link Codec}) -> predict ({@link PredictPipeline}) -> encode ({@link Codec})
 *     -> send ({@link Wire}) -> finish: record metrics, remember, sample ({@link PredictPipeline#finish})
 * </pre>
 *
 * <p><b>Plugging in.</b> A protocol is a {@link Codec}: a decoder that fills the {@link ScoringContext}
 * from the request's bytes (or fails it with INVALID_ARGUMENT naming the field) and an encoder that
 * writes the answer from the context. A transport is a {@link Wire}: it sends an answer or a refusal,
 * mapping the {@link Outcome} to its own status at the edge. Today's codecs:
 * <ul>
 *   <li>own API over gRPC: {@code grpc.PredictGrpcCodec} (PredictRequestDecoder, PredictResponseEncoder);</li>
 *   <li>V2 over gRPC: {@code grpc.V2GrpcCodec};</li>
 *   <li>own API over HTTP: {@code http.PredictJsonCodec} (PredictJsonDecoder, PredictJsonEncoder);</li>
 *   <li>V2 over HTTP: {@code http.V2JsonCodec}.</li>
 * </ul>
 * The wires: {@code grpc.PredictCallHandler}'s per-call listener and {@code http.HttpExchange}.
 *
 * <p><b>Reading one request</b> (own API over gRPC; over HTTP read HttpRequestHandler, HttpExchange,
 * PredictJsonCodec, PredictJsonDecoder and PredictJsonEncoder in their places):
 * <ol>
 *   <li>{@code grpc/PredictCallHandler}: the call's listener takes the message and is the wire;</li>
 *   <li>{@code pipeline/RequestCycle}: this class, the cycle;</li>
 *   <li>{@code grpc/PredictGrpcCodec}: the protocol's codec pair;</li>
 *   <li>{@code grpc/PredictRequestDecoder}: protobuf bytes into the context;</li>
 *   <li>{@code pipeline/ScoringContext}: the request, its vectors, scores and outcome;</li>
 *   <li>{@code pipeline/PredictPipeline}: route, enrich, assemble, score, shadows, then finish;</li>
 *   <li>{@code grpc/PredictResponseEncoder}: the answer's protobuf bytes;</li>
 *   <li>{@code pipeline/Outcome}: how a failure becomes a gRPC status or an HTTP status.</li>
 * </ol>
 *
 * <p><b>Per-call state.</b> The cycle runs inside one transport callback, start to finish, on the
 * calling thread's {@link ScoringContext}; the context is borrowed for that callback only and holds
 * nothing of this request once it returns. What must outlive a callback (a gRPC call's "answered" flag)
 * lives in the transport's per-call object (gRPC's listener), never in the thread's context: between
 * two callbacks of one call the thread may serve other calls.
 *
 * <p>Threading: stateless apart from the pipeline; any number of transport threads at once. Never
 * blocks; allocates nothing beyond what the codec and the wire do (the own API's: nothing).
 */
public final class RequestCycle
{
    /**
     * One protocol's decoder and encoder, as the cycle drives them. Implementations keep scratch state
     * between a request's decode and its encode (both run in the same callback) and so are per thread.
     *
     * @param <Q> the request's bytes as the transport hands them (a gRPC message stream, an HTTP body)
     * @param <A> the answer's bytes as the transport sends them
     */
    public interface Codec<Q, A>
    {
        /**
         * Reads the request into the context, which the cycle has just reset. A request that is not
         * valid for the protocol ends here: {@code ctx.fail(Outcome.INVALID_ARGUMENT, ...)} naming the
         * field and the problem.
         */
        void decode(Q request, ScoringContext ctx);

        /**
         * Writes the answer of a scored request.
         *
         * @param into where to write it, from {@link Wire#answerBuffer()}
         * @return the answer to send: {@code into}, or the codec's own (e.g. a stream over its buffer,
         * valid until the next request on this thread: the wire sends it before the cycle returns)
         */
        A encode(ScoringContext ctx, A into);
    }

    /** Where one request's answer goes: a transport's call or exchange. Used only within the cycle's callback. */
    public interface Wire<A>
    {
        /** A buffer for the codec to write the answer into, or null when the codec brings its own. */
        A answerBuffer();

        /** Sends the answer; the request succeeded. */
        void send(A answer);

        /** Ends the request with this outcome (never OK) and message, releasing any answer buffer taken. */
        void refuse(Outcome outcome, String message);
    }

    private final PredictPipeline pipeline;

    public RequestCycle(final PredictPipeline pipeline)
    {
        this.pipeline = pipeline;
    }

    public PredictPipeline pipeline()
    {
        return pipeline;
    }

    /** Serves one request on the calling thread, start to finish. */
    public <Q, A> void serve(final Q request, final Codec<Q, A> codec, final Wire<A> wire)
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime()).reset("", "", "");
        codec.decode(request, ctx);
        ctx.decoded(System.nanoTime());

        final Outcome outcome = pipeline.predict(ctx);
        ctx.encoding(System.nanoTime());
        try
        {
            if (outcome == Outcome.OK)
            {
                send(ctx, codec, wire);
            }
            else
            {
                wire.refuse(outcome, ctx.errorMessage());
            }
        }
        finally
        {
            pipeline.finish(ctx);
        }
    }

    private static <A> void send(final ScoringContext ctx, final Codec<?, A> codec, final Wire<A> wire)
    {
        final A answer;
        try
        {
            answer = codec.encode(ctx, wire.answerBuffer());
        }
        catch (final RuntimeException ex)
        {
            // the request was scored; the server could not write its answer
            wire.refuse(ctx.fail(Outcome.SCORING_FAILED, "could not encode the answer: " + ex.getMessage()),
                ctx.errorMessage());
            return;
        }
        wire.send(answer);
    }
}
