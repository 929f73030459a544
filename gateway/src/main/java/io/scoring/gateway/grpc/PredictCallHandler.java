package io.scoring.gateway.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Detachable;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;

import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * A unary scoring method over gRPC without generated messages: the own API's
 * {@code scoring.v1.ScoringService/Predict} and V2's {@code inference.GRPCInferenceService/ModelInfer},
 * each with its codec ({@link PredictGrpcCodec}, {@link V2GrpcCodec}). The request's bytes go to the
 * {@link RequestCycle}; this class keeps only gRPC's part: taking the message, and sending the answer
 * or the status. Nothing is allocated on the way apart from gRPC's own per-call objects (the call,
 * its metadata, its buffers) and this call's listener.
 *
 * <p><b>Per-call state</b> lives in the call's {@link Listener} (as in grpc-java's ServerCalls), never
 * in the thread: the whole cycle runs inside {@code onMessage}, and all that outlives it is whether
 * the call was answered. A unary client sends one message and half-closes, so the request is complete
 * when its message arrives; answering there keeps the thread's context to this one callback, whereas
 * between {@code onMessage} and {@code onHalfClose} the thread may serve other calls (the listener
 * contract allows it; grpc-java 1.85 happens to deliver both together). Only one message is requested,
 * so a second one (a misbehaving client) is never read: the first is answered. A client that
 * half-closes without a message gets what gRPC's unary handler gives it: INTERNAL "Half-closed
 * without a request".
 *
 * <p>The call's deadline is gRPC's ({@code grpc-timeout}); gRPC cancels the call when it passes or when
 * the client cancels, and the cycle asks {@link Listener#cancelled} before it works on the request.
 *
 * <p>Threading: callbacks run on the call's event loop thread (or the handler pool, when one is set);
 * with a concurrency limit the cycle serves the call on a scoring thread, which alone touches it from
 * then on. The codecs are per thread.
 */
final class PredictCallHandler implements ServerCallHandler<InputStream, InputStream>
{
    /**
     * Both ways as bytes: requests are decoded by the codec, answers arrive encoded, as a stream gRPC
     * drains inside {@code sendMessage} on the calling thread (see {@link PredictResponseEncoder}).
     */
    private static final MethodDescriptor.Marshaller<InputStream> BYTES = new MethodDescriptor.Marshaller<>()
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

    private final RequestCycle cycle;
    private final ThreadLocal<? extends RequestCycle.Codec<InputStream, InputStream>> codecs;

    /** @param codecs the protocol's codec, one per thread */
    PredictCallHandler(final RequestCycle cycle, final ThreadLocal<? extends RequestCycle.Codec<InputStream, InputStream>> codecs)
    {
        this.cycle = cycle;
        this.codecs = codecs;
    }

    /** A unary method of this name whose messages are the bytes on the wire, under the name generated clients call. */
    static MethodDescriptor<InputStream, InputStream> unaryBytes(final String fullMethodName)
    {
        return MethodDescriptor.<InputStream, InputStream>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullMethodName)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    }

    @Override
    public ServerCall.Listener<InputStream> startCall(final ServerCall<InputStream, InputStream> call, final Metadata headers)
    {
        call.request(1);
        // grpc-timeout, as gRPC read it into the call's context (it also cancels the call when it passes)
        final Deadline deadline = Context.current().getDeadline();
        final long deadlineNanos = null == deadline ? ScoringContext.NO_DEADLINE :
            System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
        return new Listener(call, this, deadlineNanos);
    }

    /** One call: gRPC's listener of it, and the cycle's wire to it. */
    private static final class Listener extends ServerCall.Listener<InputStream> implements RequestCycle.Call<InputStream, InputStream>
    {
        private final ServerCall<InputStream, InputStream> call;
        private final PredictCallHandler handler;
        private final long deadlineNanos;
        /** Written on the event loop before the hand-off to a scoring thread, read there after it. */
        private InputStream message;
        private boolean answered;

        Listener(final ServerCall<InputStream, InputStream> call, final PredictCallHandler handler, final long deadlineNanos)
        {
            this.call = call;
            this.handler = handler;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void onMessage(final InputStream message)
        {
            answered = true;
            this.message = message;
            handler.cycle.admit(this);
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

        @Override
        public InputStream request()
        {
            return message;
        }

        @Override
        public RequestCycle.Codec<InputStream, InputStream> codec()
        {
            return handler.codecs.get();
        }

        /** gRPC closes the message's stream when onMessage returns: the scoring thread reads a detached one. */
        @Override
        public void handOff()
        {
            if (message instanceof Detachable detachable)
            {
                message = detachable.detach();
            }
        }

        @Override
        public void done()
        {
            final InputStream read = message;
            message = null;
            try
            {
                read.close(); // a detached stream holds its buffers until closed; closing twice is harmless
            }
            catch (final java.io.IOException ex)
            {
                // nothing to release then
            }
        }

        @Override
        public long deadlineNanos()
        {
            return deadlineNanos;
        }

        /** gRPC cancels a call when its client cancels or resets it, and when its deadline passes. */
        @Override
        public boolean cancelled()
        {
            return call.isCancelled();
        }

        @Override
        public InputStream answerBuffer()
        {
            return null; // the encoders write into their own buffers
        }

        /**
         * Writes to a cancelled call would each fail in Netty and be logged with a stack trace ("Stream closed
         * before write could take place"): a call whose caller has gone is not written to at all.
         */
        @Override
        public void send(final InputStream answer)
        {
            if (call.isCancelled())
            {
                return;
            }
            call.sendHeaders(new Metadata());
            call.sendMessage(answer);
            call.close(Status.OK, new Metadata());
        }

        @Override
        public void refuse(final Outcome outcome, final String message)
        {
            if (!call.isCancelled())
            {
                call.close(outcome.grpcStatus(message), new Metadata());
            }
        }
    }
}
