package io.scoring.gateway.pipeline;

import com.netflix.concurrency.limits.Limiter;

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
 * <p><b>Admission, deadlines, cancellation.</b> A transport hands each call to {@link #admit}, which
 * scores it in place (no limit), hands it to a scoring thread (within the {@link Admission} limit) or
 * refuses it at once (beyond it). The pipeline checks the call's deadline and whether its caller is
 * still there ({@link Wire#deadlineNanos}, {@link Wire#cancelled}) before it works on it and again
 * before it scores; an expired call is answered DEADLINE_EXCEEDED, a cancelled one not at all, and
 * both are counted under their model and version, never logged one by one.
 *
 * <p>Threading: stateless apart from the pipeline; any number of transport threads at once. Never
 * blocks; allocates nothing beyond what the codec and the wire do (the own API's: nothing), and, with
 * a limit, the limiter's permit and the hand-off's task.
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
        /** When the caller stops waiting ({@link System#nanoTime()}); {@link ScoringContext#NO_DEADLINE} when it set none. */
        default long deadlineNanos()
        {
            return ScoringContext.NO_DEADLINE;
        }

        /** True once the caller has gone (cancelled, reset, closed): its request is no longer worked on. */
        default boolean cancelled()
        {
            return false;
        }

        /** A buffer for the codec to write the answer into, or null when the codec brings its own. */
        A answerBuffer();

        /** Sends the answer; the request succeeded. */
        void send(A answer);

        /** Ends the request with this outcome (never OK) and message, releasing any answer buffer taken. */
        void refuse(Outcome outcome, String message);
    }

    /**
     * A call as the transport hands it to {@link #admit}: its wire, and its request and codec as the thread
     * that serves it takes them (the codecs are per thread, so {@link #codec} is asked on that thread).
     */
    public interface Call<Q, A> extends Wire<A>
    {
        Q request();

        Codec<Q, A> codec();

        /**
         * The call is about to be served on another thread, after the transport's callback returns: it takes
         * ownership of whatever the transport would release then (gRPC closes a message's stream).
         */
        default void handOff()
        {
        }

        /** The call is done with, answered or refused, on whichever thread served it: release what it holds. */
        default void done()
        {
        }
    }

    /**
     * How the message of a call shed from the scoring queue begins; a refusal at the edge says "over the
     * concurrency limit". Both are RESOURCE_EXHAUSTED / 429, and the load generator tells them apart by this.
     */
    public static final String SHED_PREFIX = "waited ";

    private final PredictPipeline pipeline;
    private final Admission admission;

    /** A cycle with no concurrency limit: every call is scored on the thread that read it. */
    public RequestCycle(final PredictPipeline pipeline)
    {
        this(pipeline, Admission.inline());
    }

    public RequestCycle(final PredictPipeline pipeline, final Admission admission)
    {
        this.pipeline = pipeline;
        this.admission = admission;
    }

    public Admission admission()
    {
        return admission;
    }

    /**
     * Admits one call: with no limit, serves it here and now; within the limit, hands it to a scoring
     * thread; beyond it, refuses it here and now ({@link Outcome#OVERLOADED}), counted under its model.
     */
    public <Q, A> void admit(final Call<Q, A> call)
    {
        if (admission.isInline())
        {
            try
            {
                serve(call.request(), call.codec(), call);
            }
            finally
            {
                call.done();
            }
            return;
        }
        final long excessWait = admission.excessWaitNanos();
        if (excessWait > 0)
        {
            refuse(call, "the scoring queue would hold it about " + excessWait / 1_000_000 + " ms, past its bound of " +
                admission.maxWaitMillis() + " ms; retry later");
            return;
        }
        final Limiter.Listener permit = admission.tryAcquire();
        if (null == permit)
        {
            refuse(call, "over the concurrency limit of " + admission.limit() + " calls in flight; retry later");
            return;
        }
        call.handOff();
        if (!admission.execute(new Admitted<>(call, permit, System.nanoTime())))
        {
            permit.onIgnore();
            refuse(call, "the scoring queue is full; retry later");
        }
    }

    /** An admitted call in the scoring queue. */
    private final class Admitted<Q, A> implements Admission.Queued
    {
        private final Call<Q, A> call;
        private final Limiter.Listener permit;
        private final long queuedNanos;

        Admitted(final Call<Q, A> call, final Limiter.Listener permit, final long queuedNanos)
        {
            this.call = call;
            this.permit = permit;
            this.queuedNanos = queuedNanos;
        }

        @Override
        public void run()
        {
            serveAdmitted(call, permit);
        }

        @Override
        public long queuedNanos()
        {
            return queuedNanos;
        }

        @Override
        public void shed(final long waitedNanos)
        {
            // not a latency sample: Gradient2 reads a drop only as its round trip, and a shed call's wait, fed to
            // it, shrank the limit until the scoring threads idled (PERFORMANCE.md "Overload")
            permit.onIgnore();
            try
            {
                refuse(call, SHED_PREFIX + waitedNanos / 1_000_000 + " ms for a scoring thread; retry later");
            }
            catch (final RuntimeException ex)
            {
                // on a scoring thread, inside its queue's take(): no one else would see it, and the thread must live
                System.getLogger(RequestCycle.class.getName()).log(System.Logger.Level.ERROR, "shedding a call failed", ex);
            }
        }
    }

    private <Q, A> void serveAdmitted(final Call<Q, A> call, final Limiter.Listener permit)
    {
        Outcome outcome = Outcome.SCORING_FAILED;
        try
        {
            outcome = serve(call.request(), call.codec(), call);
        }
        catch (final RuntimeException ex)
        {
            // a bug, not an outcome: on the event loop the transport would answer it; here no one else will
            System.getLogger(RequestCycle.class.getName()).log(System.Logger.Level.ERROR, "serving a call failed", ex);
            call.refuse(Outcome.SCORING_FAILED, "the server failed: " + ex);
        }
        finally
        {
            call.done();
            // latency samples only from answers; a call that waited past its deadline tells the limit it is too high
            switch (outcome)
            {
                case OK -> permit.onSuccess();
                case DEADLINE_EXCEEDED -> permit.onDropped();
                default -> permit.onIgnore();
            }
        }
    }

    /**
     * Refuses an overloaded call at once, on the calling thread. Its request is decoded and routed, never
     * scored, so the refusal is counted under its model and version (an unknown one under "unknown").
     */
    private <Q, A> void refuse(final Call<Q, A> call, final String message)
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime()).reset("", "", "");
        try
        {
            call.codec().decode(call.request(), ctx);
            ctx.decoded(System.nanoTime());
            pipeline.refuse(ctx, Outcome.OVERLOADED, message);
            ctx.encoding(System.nanoTime());
            call.refuse(Outcome.OVERLOADED, message);
        }
        finally
        {
            call.done();
            pipeline.finish(ctx);
        }
    }

    public PredictPipeline pipeline()
    {
        return pipeline;
    }

    /** Serves one request on the calling thread, start to finish, and returns how it ended. */
    public <Q, A> Outcome serve(final Q request, final Codec<Q, A> codec, final Wire<A> wire)
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime()).reset("", "", "");
        ctx.caller(wire, admission.shedBackground());
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
            ctx.caller(null, false);
        }
        return ctx.outcome();
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
