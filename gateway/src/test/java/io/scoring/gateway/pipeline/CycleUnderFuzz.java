package io.scoring.gateway.pipeline;

import io.netty.util.ReferenceCounted;
import io.scoring.gateway.DemoModels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzz tests' request cycle: one codec, kept for the whole run as a transport thread keeps its own, drives
 * the demo's pipeline in process. {@link #check} serves the fuzzer's bytes and then a known good request, and
 * asserts the two properties every decoder of untrusted bytes must keep:
 * <ul>
 *   <li>the bytes end as an answer or as the caller's fault (INVALID_ARGUMENT, NOT_FOUND, TOO_LARGE), never
 *       as a server error (INTERNAL / 5xx) and never as an exception out of the cycle;</li>
 *   <li>the codec is unharmed: the good request then gets, byte for byte, the answer a fresh codec gives;</li>
 *   <li>no buffer leaks: every answer buffer the cycle borrowed from the transport is released once the call is
 *       done, the transport doing what HttpExchange does (it releases the buffer it lent last when the call is
 *       refused; the answer sent is released once written).</li>
 * </ul>
 *
 * @param <Q> the request's bytes as the transport hands them
 * @param <A> the answer's bytes as the transport sends them
 */
public final class CycleUnderFuzz<Q, A>
{
    private static DemoModels demo;

    private final RequestCycle cycle;
    private final RequestCycle.Codec<Q, A> codec;
    private final Function<byte[], Q> request;
    private final Supplier<A> answerBuffer;
    private final Function<A, byte[]> answerBytes;
    private final byte[] good;
    private final byte[] goodAnswer;

    /**
     * @param codecs       makes a codec of the protocol: one for the run, one fresh for the reference answer
     * @param request      the transport's request over the bytes
     * @param answerBuffer what the transport lends the encoder (null when the codec brings its own)
     * @param answerBytes  the answer's bytes
     * @param good         a valid request, answered OK
     */
    public CycleUnderFuzz(
        final Supplier<RequestCycle.Codec<Q, A>> codecs,
        final Function<byte[], Q> request,
        final Supplier<A> answerBuffer,
        final Function<A, byte[]> answerBytes,
        final byte[] good)
    {
        this.cycle = new RequestCycle(demo().pipeline);
        this.codec = codecs.get();
        this.request = request;
        this.answerBuffer = answerBuffer;
        this.answerBytes = answerBytes;
        this.good = good.clone();
        final Served reference = serve(codecs.get(), good);
        assertEquals(Outcome.OK, reference.outcome, "the good request is answered: " + reference.message);
        this.goodAnswer = reference.answer;
    }

    /** The demo's models and store, loaded once per JVM (a fuzzing run is one JVM per target). */
    public static synchronized DemoModels demo()
    {
        if (null == demo)
        {
            try
            {
                demo = DemoModels.load();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("cannot load the demo", ex);
            }
        }
        return demo;
    }

    /** Serves the fuzzer's bytes, then the good request, on the same codec; asserts both properties. */
    public void check(final byte[] data)
    {
        final Served served = serve(codec, data);
        assertTrue(served.outcome.httpStatus() < 500,
            () -> "a server error (" + served.outcome + ": " + served.message + ") for " + Arrays.toString(data));
        for (final Object buffer : served.lent)
        {
            assertTrue(!(buffer instanceof ReferenceCounted counted) || counted.refCnt() == 0,
                () -> "an answer buffer was not released (a leak) after " + Arrays.toString(data));
        }
        final Served after = serve(codec, good);
        assertEquals(Outcome.OK, after.outcome, () -> "the good request after " + Arrays.toString(data) + ": " + after.message);
        assertArrayEquals(goodAnswer, after.answer, () -> "the good request's answer changed after " + Arrays.toString(data));
    }

    private Served serve(final RequestCycle.Codec<Q, A> with, final byte[] bytes)
    {
        final Served served = new Served();
        cycle.serve(request.apply(bytes), with, new RequestCycle.Wire<>()
        {
            @Override
            public A answerBuffer()
            {
                if (null == answerBuffer)
                {
                    return null;
                }
                final A buffer = answerBuffer.get();
                served.lent.add(buffer);
                return buffer;
            }

            @Override
            public void send(final A answer)
            {
                served.outcome = Outcome.OK;
                served.answer = answerBytes.apply(answer);
            }

            @Override
            public void refuse(final Outcome outcome, final String message)
            {
                served.outcome = outcome;
                served.message = message;
                if (!served.lent.isEmpty() && served.lent.get(served.lent.size() - 1) instanceof ReferenceCounted last)
                {
                    last.release();
                }
            }
        });
        return served;
    }

    private static final class Served
    {
        final List<Object> lent = new ArrayList<>();
        Outcome outcome;
        String message;
        byte[] answer;
    }
}
