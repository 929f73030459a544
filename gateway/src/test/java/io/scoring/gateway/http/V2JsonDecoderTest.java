package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scoring.gateway.DemoModels;
import io.scoring.gateway.grpc.GeneratedV2;
import io.scoring.gateway.grpc.RandomInferRequests;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hand-written V2 JSON decoder must leave the context as the Jackson reader it replaced did
 * ({@link V2Json}) for every body Jackson took, and refuse with a clear message every body that is
 * not JSON or not this shape, however deep or long, never with anything but a JsonBodyException.
 */
class V2JsonDecoderTest
{
    private static final JsonFactory JACKSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
        .build();
    private static final byte[] ALPHABET = "{}[],:\"\\ 0123456789-+.eEtrufalsn\u00e9x".getBytes(StandardCharsets.UTF_8);

    private static DemoModels demo;
    private static ModelRegistry models;
    private static Model model;

    private final V2JsonDecoder decoder = new V2JsonDecoder();
    private final ScoringContext decoded = new ScoringContext();
    private final ScoringContext reference = new ScoringContext();

    @BeforeAll
    static void loadDemo() throws Exception
    {
        demo = DemoModels.load();
        models = demo.models;
        model = demo.model();
    }

    @AfterAll
    static void close()
    {
        demo.close();
    }

    @Test
    void shouldFillTheContextAsTheJacksonReaderDidForRandomBodiesFlatNestedAndWithParameters() throws Exception
    {
        final Random random = new Random(20261206L);
        int ok = 0;
        for (int i = 0; i < 3_000; i++)
        {
            final String body = RandomInferBodies.body(random);
            if (assertAgrees(body.getBytes(StandardCharsets.UTF_8)))
            {
                ok += decoded.outcome() == Outcome.OK ? 1 : 0;
            }
            else
            {
                assertJacksonRefuses(body);
            }
        }
        assertTrue(ok > 600, "a good share of the random bodies bind: " + ok);
    }

    @Test
    void shouldRefuseEveryTruncationOfABodyNamingTheByteOffset()
    {
        final Random random = new Random(5L);
        for (int i = 0; i < 40; i++)
        {
            String text = RandomInferBodies.body(random);
            while (text.contains("\"nope\"")) // an unknown output is refused where it is read, before the cut
            {
                text = RandomInferBodies.body(random);
            }
            final byte[] body = text.getBytes(StandardCharsets.UTF_8);
            for (int length = 0; length < body.length; length++)
            {
                final int cut = length;
                final JsonBodyException refused = assertThrows(JsonBodyException.class,
                    () -> decode(java.util.Arrays.copyOf(body, cut)), () -> new String(body, 0, cut, StandardCharsets.UTF_8));
                assertTrue(cut == 0 || refused.getMessage().contains("at byte " + cut), refused.getMessage());
            }
        }
    }

    @Test
    void shouldNeverTakeAMutatedBodyJacksonRefusedNorThrowAnythingButJsonBodyException()
    {
        final Random random = new Random(13L);
        int refused = 0;
        for (int i = 0; i < 30_000; i++)
        {
            final byte[] body = mutate(random, RandomInferBodies.body(random).getBytes(StandardCharsets.UTF_8));
            if (!assertAgrees(body))
            {
                refused++;
            }
        }
        assertTrue(refused > 10_000, "most mutated bodies are refused: " + refused);
    }

    @Test
    void shouldRefuseNestingDeeperThanJacksonTookNamingTheField()
    {
        final String deepData = "{\"inputs\":[{\"name\":\"duration\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":" +
            "[".repeat(62) + "24" + "]".repeat(62) + "}]}";
        assertMessage(deepData, "inputs[0].data: nested deeper than 64 levels");
        final String deepParameters = "{\"parameters\":" + "{\"a\":".repeat(64) + "1" + "}".repeat(64) + ",\"inputs\":[]}";
        assertMessage(deepParameters, "parameters: nested deeper than 64 levels");
        final String deepTensorParameters = "{\"inputs\":[{\"parameters\":" + "[".repeat(62) + "]".repeat(62) + "}]}";
        assertMessage(deepTensorParameters, "inputs[0].parameters: nested deeper than 64 levels");
    }

    @Test
    void shouldNameTheFieldOfAValueOfTheWrongType()
    {
        assertMessage("{\"inputs\":{}}", "inputs: must be an array");
        assertMessage("{\"inputs\":[{\"name\":1}]}", "inputs[0].name: must be a string");
        assertMessage("{\"inputs\":[{\"name\":\"x\",\"shape\":[1.5]}]}", "inputs[0].shape: must be an array of integers");
        assertMessage("{\"inputs\":[{\"name\":\"x\",\"data\":[null]}]}",
            "inputs[0].data: must be numbers, booleans or strings, in arrays");
        assertMessage("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,\"a\"]}]}",
            "input 'x': data mixes text and numbers");
        assertMessage("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}],\"outputs\":[{}]}",
            "outputs[0]: 'name' is required");
        assertMessage("{\"inputs\":[],\"outputs\":[{\"name\":\"nope\"}]}", "outputs: model 'credit-risk' has no output 'nope'");
        assertMessage("{\"inputs\":[]}", "inputs: at least one input is required");
        assertMessage("{\"" + "n".repeat(65_536) + "\":1}", "unknown field '" + "n".repeat(65_536) + "'");
        assertMessage("{\"inputs\":[]} x", "malformed JSON: unexpected 'x' after the object at byte 14");
    }

    @Test
    void shouldAllocateNothingOnceWarm() throws Exception
    {
        final ByteBuf[] bodies = new ByteBuf[2];
        bodies[0] = Unpooled.directBuffer().writeBytes(RandomInferBodies.body(new Random(1),
            RandomInferRequests.named("A0001", false)).getBytes(StandardCharsets.UTF_8));
        bodies[1] = Unpooled.directBuffer().writeBytes(RandomInferBodies.body(new Random(1),
            RandomInferRequests.complete(new Random(1), 2, false)).getBytes(StandardCharsets.UTF_8));
        for (final ByteBuf body : bodies)
        {
            decode(body);
            assertEquals(Outcome.OK, decoded.outcome(), decoded.errorMessage());
        }
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            decode(bodies[i & 1]);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            decode(bodies[i & 1]);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 100,000 decodes");
        bodies[0].release();
        bodies[1].release();
    }

    private void decode(final ByteBuf body) throws JsonBodyException
    {
        decoded.reset(model.name(), "", "");
        decoded.model(model);
        decoder.decode(body, decoded);
    }

    private void decode(final byte[] body) throws JsonBodyException
    {
        decoded.reset(model.name(), "", "");
        decoded.model(model);
        decoder.decode(body, 0, body.length, decoded);
    }

    private void assertMessage(final String body, final String message)
    {
        final JsonBodyException ex = assertThrows(JsonBodyException.class,
            () -> decode(body.getBytes(StandardCharsets.UTF_8)), body);
        assertEquals(message, ex.getMessage(), body.length() < 200 ? body : body.substring(0, 200));
    }

    /**
     * Decodes with both; when the decoder takes the body, Jackson must have taken it and left the same
     * context (the decoder is the stricter: it refuses lone surrogates and bytes after the object).
     * Returns whether the decoder took it.
     */
    private boolean assertAgrees(final byte[] body)
    {
        final String text = new String(body, StandardCharsets.UTF_8);
        boolean accepted;
        try
        {
            decode(body);
            accepted = true;
        }
        catch (final JsonBodyException ex)
        {
            assertTrue(ex.getMessage().length() > 0);
            accepted = false;
        }
        catch (final RuntimeException ex)
        {
            fail("escaped on " + text, ex);
            return false;
        }
        if (!accepted)
        {
            return false;
        }
        reference.reset(model.name(), "", "");
        reference.model(model);
        try (JsonParser parser = JACKSON.createParser(body))
        {
            V2Json.decodeInfer(parser, reference);
        }
        catch (final JsonProcessingException | JsonBodyException ex)
        {
            fail("the decoder took a body Jackson refused (" + ex.getMessage() + "): " + text);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        assertEquals(normalized(GeneratedV2.describe(reference)), normalized(GeneratedV2.describe(decoded)), text);
        return true;
    }

    private void assertJacksonRefuses(final String body)
    {
        reference.reset(model.name(), "", "");
        reference.model(model);
        try (JsonParser parser = JACKSON.createParser(body))
        {
            V2Json.decodeInfer(parser, reference);
            fail("Jackson took a body the decoder refused: " + body);
        }
        catch (final JsonProcessingException | JsonBodyException expected)
        {
            // both refused
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** Jackson reads the integer -0 as 0.0, the decoder as -0.0 (as JSON's grammar has it). */
    private static String normalized(final String description)
    {
        return description.replace(" 8000000000000000", " 0");
    }

    /** Byte flips, JSON-ish insertions, deletions, duplications of a run, and truncation. */
    static byte[] mutate(final Random random, final byte[] bytes)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] body = bytes;
        for (int m = 1 + random.nextInt(3); m > 0 && body.length > 0; m--)
        {
            final int at = random.nextInt(body.length);
            out.reset();
            out.write(body, 0, at);
            switch (random.nextInt(5))
            {
                case 0 -> out.write(random.nextInt(256));
                case 1 -> out.write(ALPHABET[random.nextInt(ALPHABET.length)]);
                case 2 ->
                {
                    // a deletion: the skip below
                }
                case 3 -> out.write(body, at, Math.min(body.length - at, 1 + random.nextInt(12)));
                default -> out.write(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            final int skip = random.nextInt(3); // 0: an insertion, else a replacement or deletion
            out.write(body, Math.min(body.length, at + skip), body.length - Math.min(body.length, at + skip));
            body = out.toByteArray();
        }
        return random.nextInt(10) == 0 ? java.util.Arrays.copyOf(body, random.nextInt(body.length + 1)) : body;
    }
}
