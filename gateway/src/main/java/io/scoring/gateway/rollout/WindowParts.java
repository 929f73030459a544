package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;

/**
 * A replica's part of a rollout step's windows, as the fleet shares it through the state store, and
 * the merge the driver judges: every replica's counts added up, their samples side by side.
 *
 * <pre>
 * {"canary":   {"requests": 512, "failures": 0, "latencies": "&lt;base64 float64 LE&gt;", "scores": "&lt;float32&gt;", "entities": "&lt;int64&gt;"},
 *  "champion": {...}}
 * </pre>
 *
 * Counts are exact; the samples (latency, score, entity of each successful request) are
 * {@code maxSamples} of the replica's step, spread evenly over it, so a part is at most {@code 2 x 20 x maxSamples} bytes
 * before base64 (~110 KB at the default 2,048).
 *
 * <p>Threading: stateless; the rollout thread only, never the request path.
 */
final class WindowParts
{
    private WindowParts()
    {
    }

    static String encode(final RequestWindow.Slice canary, final RequestWindow.Slice champion, final int maxSamples)
    {
        final ObjectNode json = Check.JSON.createObjectNode();
        json.set("canary", encode(canary, maxSamples));
        json.set("champion", encode(champion, maxSamples));
        return json.toString();
    }

    private static ObjectNode encode(final RequestWindow.Slice slice, final int maxSamples)
    {
        final int length = slice.latencies().length;
        final int n = Math.min(maxSamples, length);
        final ByteBuffer latencies = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer scores = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer entities = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < n; j++)
        {
            // spread evenly over the step: the slice is its threads' rings side by side, not one time order
            final int i = (int)((long)j * length / n);
            latencies.putDouble(slice.latencies()[i]);
            scores.putFloat((float)slice.scores()[i]); // recorded as float: nothing lost
            entities.putLong(slice.entities()[i]);
        }
        final ObjectNode json = Check.JSON.createObjectNode()
            .put("requests", slice.requests())
            .put("failures", slice.failures());
        json.put("latencies", latencies.array());
        json.put("scores", scores.array());
        json.put("entities", entities.array());
        return json;
    }

    /** The canary's ([0]) and the champion's ([1]) slices of one part. */
    static RequestWindow.Slice[] decode(final String text) throws IOException
    {
        final JsonNode json = Check.JSON.readTree(text);
        return new RequestWindow.Slice[] {decode(json.path("canary")), decode(json.path("champion"))};
    }

    private static RequestWindow.Slice decode(final JsonNode json) throws IOException
    {
        final ByteBuffer latencies = ByteBuffer.wrap(json.path("latencies").binaryValue()).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer scores = ByteBuffer.wrap(json.path("scores").binaryValue()).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer entities = ByteBuffer.wrap(json.path("entities").binaryValue()).order(ByteOrder.LITTLE_ENDIAN);
        final int n = latencies.remaining() / 8;
        if (scores.remaining() != 4 * n || entities.remaining() != 8 * n)
        {
            throw new IOException("a window part's samples differ in length");
        }
        final double[] l = new double[n];
        final double[] s = new double[n];
        final long[] e = new long[n];
        for (int i = 0; i < n; i++)
        {
            l[i] = latencies.getDouble();
            s[i] = scores.getFloat();
            e[i] = entities.getLong();
        }
        return new RequestWindow.Slice(json.path("requests").asLong(), json.path("failures").asLong(), l, s, e);
    }

    /** The fleet's step: counts added, samples concatenated (an entity seen by two replicas still counts once). */
    static RequestWindow.Slice merge(final Collection<RequestWindow.Slice> slices)
    {
        long requests = 0;
        long failures = 0;
        int n = 0;
        for (final RequestWindow.Slice slice : slices)
        {
            requests += slice.requests();
            failures += slice.failures();
            n += slice.latencies().length;
        }
        final double[] latencies = new double[n];
        final double[] scores = new double[n];
        final long[] entities = new long[n];
        int at = 0;
        for (final RequestWindow.Slice slice : slices)
        {
            final int length = slice.latencies().length;
            System.arraycopy(slice.latencies(), 0, latencies, at, length);
            System.arraycopy(slice.scores(), 0, scores, at, length);
            System.arraycopy(slice.entities(), 0, entities, at, length);
            at += length;
        }
        return new RequestWindow.Slice(requests, failures, latencies, scores, entities);
    }
}
