package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scoring.gateway.DemoModels;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.router.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hand-written ModelInfer decoder must fill the context exactly as the generated parser plus the
 * old mapping did ({@link GeneratedV2}), and refuse exactly the bytes protobuf refuses: a V2 client
 * must not see a request scored differently, or refused, because the gateway stopped using the
 * generated classes.
 */
class ModelInferRequestDecoderTest
{
    private static DemoModels demo;
    private static ModelRegistry models;

    private final ScoringContext decoded = new ScoringContext();
    private final ScoringContext reference = new ScoringContext();
    private ModelInferRequestDecoder decoder;

    @BeforeAll
    static void loadDemo() throws Exception
    {
        demo = DemoModels.load();
        models = demo.models;
    }

    @AfterAll
    static void close()
    {
        demo.close();
    }

    private ModelInferRequestDecoder decoder()
    {
        if (null == decoder)
        {
            decoder = new ModelInferRequestDecoder(models);
        }
        return decoder;
    }

    @Test
    void shouldFillTheContextAsTheGeneratedPathDoesForRandomRequestsOfEveryFormAndDatatype()
    {
        final Random random = new Random(20261206L);
        int ok = 0;
        for (int i = 0; i < 3_000; i++)
        {
            final byte[] bytes = RandomInferRequests.request(random).toByteArray();
            assertTrue(assertAgrees(bytes, "request #" + i));
            ok += decoded.outcome() == Outcome.OK ? 1 : 0;
        }
        assertTrue(ok > 600, "a good share of the random requests bind: " + ok);
    }

    @Test
    void shouldAgreeWithProtobufOnEveryPrefixOfARequest()
    {
        final Random random = new Random(5L);
        for (int i = 0; i < 40; i++)
        {
            final byte[] bytes = RandomInferRequests.request(random).toByteArray();
            for (int length = 0; length <= bytes.length; length++)
            {
                assertAgrees(Arrays.copyOf(bytes, length), "request #" + i + " cut to " + length + " bytes");
            }
        }
    }

    @Test
    void shouldAgreeWithProtobufOnScrambledBytesAndNeverThrow()
    {
        final Random random = new Random(11L);
        int refused = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] bytes = mutate(random, RandomInferRequests.request(random).toByteArray());
            if (!assertAgrees(bytes, "scrambled request #" + i))
            {
                refused++;
            }
        }
        assertTrue(refused > 1_000, "many scrambled requests are not protobuf: " + refused);
    }

    @Test
    void shouldReadPackedAndUnpackedContentsSplitOverRepeatedContentsFields()
    {
        final byte[] packed = ModelInferRequest.InferInputTensor.newBuilder().setName("duration").setDatatype("FP32")
            .addShape(2).setContents(InferTensorContents.newBuilder().addFp32Contents(24)).build().toByteArray();
        // a second contents (protobuf merges it: the floats concatenate), its float written unpacked
        final byte[] input = concat(packed, new byte[] {0x2A, 0x05, 0x35, 0, 0, (byte)0x80, 0x3F});
        final byte[] request = concat(new byte[] {0x0A, 11}, "credit-risk".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            new byte[] {0x2A, (byte)input.length}, input);

        assertTrue(assertAgrees(request, "contents merged"));
        assertEquals(2, decoded.tensors().size(0));
        assertEquals(24.0, decoded.tensors().number(0, 0));
        assertEquals(1.0, decoded.tensors().number(0, 1));
    }

    @Test
    void shouldRefuseInvalidUtf8InAParameterAsProtobufDoes()
    {
        final byte[] entry = {0x0A, 0x02, 'k', (byte)0xC0, 0x12, 0x00};
        final byte[] request = concat(new byte[] {0x22, (byte)entry.length}, entry);
        assertFalse(assertAgrees(request, "a parameter key that is not UTF-8"));
        assertTrue(decoder().error().contains("parameters: invalid UTF-8"), decoder().error());
    }

    @Test
    void shouldNameTheInputAndTheElementThatIsNotUtf8Text()
    {
        final ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("credit-risk")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("purpose").setDatatype("BYTES").addShape(2)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("car"))
                    .addBytesContents(ByteString.copyFrom(new byte[] {(byte)0xFF}))))
            .build();
        assertTrue(assertAgrees(request.toByteArray(), "bytes that are not text"));
        assertEquals("input 'purpose': bytes_contents[1] is not UTF-8 text", decoded.errorMessage());
    }

    @Test
    void shouldReadTheMessageFromAStreamAsFromItsBytes()
    {
        final Random random = new Random(3L);
        for (int i = 0; i < 50; i++)
        {
            final byte[] bytes = RandomInferRequests.request(random).toByteArray();
            assertTrue(decoder().decode(new ByteArrayInputStream(bytes), decoded));
            final String fromStream = GeneratedV2.describe(decoded);
            decoder().decode(bytes, 0, bytes.length, decoded);
            assertEquals(GeneratedV2.describe(decoded), fromStream);
        }
    }

    @Test
    void shouldAllocateNothingOnceWarm()
    {
        final byte[][] requests = {
            RandomInferRequests.named("A0001", false).toByteArray(), RandomInferRequests.named("A0002", true).toByteArray(),
            RandomInferRequests.complete(new Random(1), 2, false).toByteArray(),
            RandomInferRequests.complete(new Random(2), 2, true).toByteArray()};
        final ModelInferRequestDecoder decoder = decoder();
        for (final byte[] request : requests)
        {
            assertTrue(decoder.decode(request, 0, request.length, decoded));
            assertEquals(Outcome.OK, decoded.outcome(), decoded.errorMessage());
        }
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] request = requests[i & 3];
            decoder.decode(request, 0, request.length, decoded);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            final byte[] request = requests[i & 3];
            decoder.decode(request, 0, request.length, decoded);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 100,000 decodes");
    }

    /** Decodes with both and asserts they agree; returns whether the bytes were protobuf. */
    private boolean assertAgrees(final byte[] bytes, final String what)
    {
        ModelInferRequest parsed;
        try
        {
            parsed = ModelInferRequest.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            parsed = null;
        }
        final boolean accepted;
        try
        {
            accepted = decoder().decode(bytes, 0, bytes.length, decoded);
        }
        catch (final RuntimeException ex)
        {
            fail(what + ": the decoder threw", ex);
            return false;
        }
        if (null == parsed)
        {
            assertFalse(accepted, what + ": protobuf refuses it, the decoder took it");
            assertTrue(decoder().error().startsWith("malformed inference.GRPCInferenceService/ModelInfer request: "),
                decoder().error());
            return false;
        }
        assertTrue(accepted, () -> what + ": protobuf takes it, the decoder refused it: " + decoder().error() + " " +
            java.util.HexFormat.of().formatHex(bytes));
        GeneratedV2.decode(parsed, models, reference);
        assertEquals(GeneratedV2.describe(reference), GeneratedV2.describe(decoded), what);
        return true;
    }

    /** Byte flips, insertions, deletions, duplications of a run, and truncation. */
    static byte[] mutate(final Random random, final byte[] bytes)
    {
        byte[] out = bytes.clone();
        for (int m = 1 + random.nextInt(3); m > 0 && out.length > 0; m--)
        {
            final int at = random.nextInt(out.length);
            switch (random.nextInt(5))
            {
                case 0 -> out[at] = (byte)random.nextInt(256);
                case 1 -> out[at] ^= (byte)(1 << random.nextInt(8));
                case 2 -> out = concat(Arrays.copyOf(out, at), new byte[] {(byte)random.nextInt(256)},
                    Arrays.copyOfRange(out, at, out.length));
                case 3 -> out = concat(Arrays.copyOf(out, at), Arrays.copyOfRange(out, Math.min(out.length, at + 1 +
                    random.nextInt(4)), out.length));
                default ->
                {
                    final int end = Math.min(out.length, at + 1 + random.nextInt(8));
                    out = concat(Arrays.copyOf(out, end), Arrays.copyOfRange(out, at, out.length));
                }
            }
        }
        return random.nextInt(10) == 0 ? Arrays.copyOf(out, random.nextInt(out.length + 1)) : out;
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] out = new byte[length];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
