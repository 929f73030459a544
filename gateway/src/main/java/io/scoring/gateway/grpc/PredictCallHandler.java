package io.scoring.gateway.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;

import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A scoring method over gRPC without generated messages, the own API's
 * {@code scoring.v1.ScoringService/Predict} and the Open Inference Protocol's
 * {@code inference.GRPCInferenceService/ModelInfer}: the request's bytes are decoded into the
 * thread's {@link ScoringContext} ({@link PredictRequestDecoder}, {@link ModelInferRequestDecoder}),
 * the pipeline runs, and the answer is written from the context ({@link PredictResponseEncoder},
 * {@link ModelInferResponseEncoder}).
 * Nothing is allocated on the way apart from gRPC's own per-call objects (the call, its metadata, its
 * buffers) and this call's listener.
 *
 * <p>Unary, answered in {@code onMessage}: a unary client sends one message and half-closes, so the
 * request is complete when its message arrives. Decoding, scoring and answering there, in one
 * callback, keeps the thread's context to this call: with {@code directExecutor} the event loop runs
 * other calls' callbacks between this call's {@code onMessage} and {@code onHalfClose}, and they would
 * reuse the same context. Only one message is requested, so a second one (a misbehaving client) is
 * never read; gRPC's own unary handler would answer it with INTERNAL "Too many requests", here the
 * first message is answered. A client that half-closes without a message gets what gRPC's unary
 * handler gives it: INTERNAL "Half-closed without a request".
 *
 * <p>Threading: callbacks run on the call's event loop thread; the decoder and encoder are per thread.
 */
final class PredictCallHandler implements ServerCallHandler<InputStream, ScoringContext>
{
    static final String SERVICE = "scoring.v1.ScoringService";

    /** Reads a request's protobuf bytes into the context; one per thread. */
    interface RequestDecoder
    {
        /** @return false when the bytes are not the method's request; see {@link #error()} */
        boolean decode(InputStream message, ScoringContext ctx);

        String error();
    }

    /** Writes a scored context's answer as a stream gRPC drains at once; one per thread. */
    interface AnswerEncoder
    {
        InputStream encode(ScoringContext ctx);
    }

    /** Reads the request's bytes as they come: the listener decodes them itself. */
    private static final MethodDescriptor.Marshaller<InputStream> REQUEST_BYTES = new MethodDescriptor.Marshaller<>()
    {
        @Override
        public InputStream stream(final InputStream value)
        {
            return value;
        }

        @Override
        public InputStream parse(final InputStream stream)
        {
            return stream;
        }
    };

    private final PredictPipeline pipeline;
    private final ThreadLocal<RequestDecoder> decoders;
    private final ThreadLocal<AnswerEncoder> encoders;
    private final MethodDescriptor<InputStream, ScoringContext> method;

    private PredictCallHandler(
        final String fullMethodName,
        final PredictPipeline pipeline,
        final Supplier<RequestDecoder> decoder,
        final Supplier<AnswerEncoder> encoder)
    {
        this.pipeline = pipeline;
        decoders = ThreadLocal.withInitial(decoder);
        encoders = ThreadLocal.withInitial(encoder);
        method = MethodDescriptor.<InputStream, ScoringContext>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullMethodName)
            .setRequestMarshaller(REQUEST_BYTES)
            .setResponseMarshaller(new MethodDescriptor.Marshaller<>()
            {
                /**
                 * Writes the answer from the scored context with the calling thread's encoder; gRPC
                 * calls it inside {@code sendMessage}, on the thread that scored the request.
                 */
                @Override
                public InputStream stream(final ScoringContext ctx)
                {
                    return encoders.get().encode(ctx);
                }

                @Override
                public ScoringContext parse(final InputStream stream)
                {
                    throw new UnsupportedOperationException("the server writes answers, it never reads them");
                }
            })
            .build();
    }

    /** The own API's service with its one method, under the name the generated clients call. */
    static ServerServiceDefinition service(final PredictPipeline pipeline)
    {
        final PredictCallHandler predict = new PredictCallHandler(
            MethodDescriptor.generateFullMethodName(SERVICE, "Predict"), pipeline,
            PredictRequestDecoder::new, PredictResponseEncoder::new);
        return ServerServiceDefinition.builder(SERVICE).addMethod(predict.definition()).build();
    }

    /** The Open Inference Protocol's ModelInfer, to stand in for the generated method of that name. */
    static ServerMethodDefinition<InputStream, ScoringContext> modelInfer(
        final String fullMethodName, final PredictPipeline pipeline)
    {
        return new PredictCallHandler(fullMethodName, pipeline,
            () -> new ModelInferRequestDecoder(pipeline.models()), ModelInferResponseEncoder::new).definition();
    }

    private ServerMethodDefinition<InputStream, ScoringContext> definition()
    {
        return ServerMethodDefinition.create(method, this);
    }

    @Override
    public ServerCall.Listener<InputStream> startCall(final ServerCall<InputStream, ScoringContext> call, final Metadata headers)
    {
        call.request(1);
        return new Listener(call, pipeline, decoders);
    }

    private static final class Listener extends ServerCall.Listener<InputStream>
    {
        private final ServerCall<InputStream, ScoringContext> call;
        private final PredictPipeline pipeline;
        private final ThreadLocal<RequestDecoder> decoders;
        private boolean answered;

        Listener(final ServerCall<InputStream, ScoringContext> call, final PredictPipeline pipeline,
            final ThreadLocal<RequestDecoder> decoders)
        {
            this.call = call;
            this.pipeline = pipeline;
            this.decoders = decoders;
        }

        @Override
        public void onMessage(final InputStream message)
        {
            answered = true;
            final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime());
            final RequestDecoder decoder = decoders.get();
            if (!decoder.decode(message, ctx))
            {
                // the caller sent it, so INVALID_ARGUMENT, not gRPC's UNKNOWN for a request that fails to parse
                call.close(Outcome.INVALID_ARGUMENT.grpcStatus(decoder.error()), new Metadata());
                return;
            }
            ctx.decoded(System.nanoTime());

            final Outcome outcome = pipeline.predict(ctx);
            ctx.encoding(System.nanoTime());
            if (outcome != Outcome.OK)
            {
                call.close(outcome.grpcStatus(ctx.errorMessage()), new Metadata());
            }
            else
            {
                call.sendHeaders(new Metadata());
                call.sendMessage(ctx);
                call.close(Status.OK, new Metadata());
            }
            pipeline.finish(ctx);
        }

        @Override
        public void onHalfClose()
        {
            if (!answered)
            {
                answered = true;
                call.close(Status.INTERNAL.withDescription("Half-closed without a request"), new Metadata());
            }
        }
    }
}
