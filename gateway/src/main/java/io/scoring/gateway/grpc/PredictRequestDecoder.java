package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.MutableText;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;

import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a {@code scoring.v1.PredictRequest} straight from its protobuf wire bytes into a
 * {@link ScoringContext}, making no PredictRequest, no Row, no map and no String: every string lands
 * in one of the context's pooled {@link MutableText}s.
 *
 * <pre>
 *   PredictRequest  1 model: string   2 version: string   3 request_id: string   4 rows: Row (repeated)
 *   Row             1 entity_key: string                  2 features: entry (repeated; a map)
 *   entry           1 key: string                         2 value: FeatureValue
 *   FeatureValue    1 number_value: fixed64 double   |    2 string_value: string     (a oneof)
 * </pre>
 *
 * <p>It accepts and rejects what the generated parser does and fills the context as today's mapping
 * of the parsed message would:
 * <ul>
 *   <li>fields in any order; a singular field seen twice: the last wins; a oneof: the last member wins;</li>
 *   <li>a map entry's value seen twice is merged, as protobuf merges an embedded message (so
 *   {@code {number 1}} then {@code {}} keeps the number); a missing key is the empty name; a missing
 *   value is a feature that "has no value";</li>
 *   <li>a feature name repeated within a row: the last value wins, in the place of the first (the
 *   parsed map is a LinkedHashMap);</li>
 *   <li>unknown fields and known fields with an unexpected wire type are skipped, groups included
 *   (nested at most 100 deep, protobuf's recursion limit);</li>
 *   <li>rejected: truncated input, a varint longer than 10 bytes, a negative length, field number 0,
 *   wire types 6 and 7, a stray or mismatched end-group, invalid UTF-8 in any string field.</li>
 * </ul>
 * A rejection is a false return and {@link #error()} names the field and the problem; the String is
 * made only then.
 *
 * <p>Threading: not thread-safe; one per transport thread. Allocation-free once its buffers (the
 * copy of the message, the per-row feature table) have grown to the largest request seen.
 */
public final class PredictRequestDecoder extends ProtoReader
{
    private static final String METHOD = "scoring.v1.ScoringService/Predict";

    /** Fields 1 to 3, by number, as errors name them. */
    private static final String[] HEADER_FIELDS = {null, "model", "version", "request_id"};
    private static final int MODEL = tag(1, LENGTH_DELIMITED);
    private static final int VERSION = tag(2, LENGTH_DELIMITED);
    private static final int REQUEST_ID = tag(3, LENGTH_DELIMITED);
    private static final int ROWS = tag(4, LENGTH_DELIMITED);
    private static final int ENTITY_KEY = tag(1, LENGTH_DELIMITED);
    private static final int FEATURES = tag(2, LENGTH_DELIMITED);
    private static final int ENTRY_KEY = tag(1, LENGTH_DELIMITED);
    private static final int ENTRY_VALUE = tag(2, LENGTH_DELIMITED);
    private static final int NUMBER_VALUE = tag(1, FIXED64);
    private static final int STRING_VALUE = tag(2, LENGTH_DELIMITED);

    private static final byte NO_VALUE = 0;
    private static final byte NUMBER = 1;
    private static final byte TEXT = 2;

    // where it failed
    private String field;
    private int row;

    /** The current row's features, one per distinct name, in first-seen order. */
    private int featureCount;
    private CharSequence[] featureNames = new CharSequence[16];
    private int[] featureHashes = new int[16];
    private byte[] featureKinds = new byte[16];
    private double[] featureNumbers = new double[16];
    private MutableText[] featureTexts = new MutableText[16];

    // the map entry being decoded
    private MutableText entryKey;
    private byte entryKind;
    private double entryNumber;
    private MutableText entryText;

    /**
     * Reads the whole message from the stream gRPC hands the handler (its {@code available()} is the
     * message's size, so one read fills it) and decodes it into the context.
     *
     * @return false when the message is malformed; see {@link #error()}
     */
    public boolean decode(final InputStream message, final ScoringContext ctx)
    {
        final int length = readMessage(message);
        if (length < 0)
        {
            field = "message";
            row = -1;
            return false;
        }
        return decode(copy, 0, length, ctx);
    }

    /**
     * Decodes {@code length} bytes from {@code offset} into the context, after resetting it.
     *
     * @return false when they are not a valid PredictRequest; see {@link #error()}
     */
    public boolean decode(final byte[] bytes, final int offset, final int length, final ScoringContext ctx)
    {
        this.bytes = bytes;
        position = offset;
        problem = null;
        field = null;
        row = -1;
        ctx.reset("", "", "");

        final int end = offset + length;
        while (position < end)
        {
            field = null;
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == MODEL || tag == VERSION || tag == REQUEST_ID)
            {
                field = HEADER_FIELDS[tag >>> 3];
                if (!readRequestHeader(tag >>> 3, ctx, end))
                {
                    return false;
                }
            }
            else if (tag == ROWS)
            {
                row = ctx.rowCount();
                final int rowEnd = readLength(end);
                if (null != problem || !decodeRow(ctx, rowEnd))
                {
                    return false;
                }
                row = -1;
            }
            else if (!skipUnknown(tag, end, 0))
            {
                return false;
            }
        }
        return true;
    }

    /** What was wrong with the last message {@link #decode} refused, for the INVALID_ARGUMENT status. */
    public String error()
    {
        final StringBuilder error = new StringBuilder(96).append("malformed ").append(METHOD).append(" request: ");
        if (row >= 0)
        {
            error.append("rows[").append(row).append(']').append(null != field ? "." : ": ");
        }
        if (null != field)
        {
            error.append(field).append(": ");
        }
        return error.append(problem).toString();
    }

    private boolean decodeRow(final ScoringContext ctx, final int end)
    {
        final int index = ctx.addRow("");
        featureCount = 0;
        while (position < end)
        {
            field = null;
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == ENTITY_KEY)
            {
                field = "entity_key";
                final MutableText key = readText(ctx, end);
                if (null == key)
                {
                    return false;
                }
                ctx.entityKey(index, key);
            }
            else if (tag == FEATURES)
            {
                field = "features";
                final int entryEnd = readLength(end);
                if (null != problem || !decodeEntry(ctx, entryEnd))
                {
                    return false;
                }
            }
            else if (!skipUnknown(tag, end, 1))
            {
                return false;
            }
        }
        field = null;
        hand(ctx, index);
        return true;
    }

    private boolean decodeEntry(final ScoringContext ctx, final int end)
    {
        entryKey = null;
        entryKind = NO_VALUE;
        entryText = null;
        while (position < end)
        {
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == ENTRY_KEY)
            {
                entryKey = readText(ctx, end);
                if (null == entryKey)
                {
                    return false;
                }
            }
            else if (tag == ENTRY_VALUE)
            {
                final int valueEnd = readLength(end);
                if (null != problem || !decodeValue(ctx, valueEnd))
                {
                    return false;
                }
            }
            else if (!skipUnknown(tag, end, 2))
            {
                return false;
            }
        }
        put();
        return true;
    }

    /** Merges one FeatureValue into the entry's: what it sets wins, what it leaves out stays. */
    private boolean decodeValue(final ScoringContext ctx, final int end)
    {
        while (position < end)
        {
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if (tag == NUMBER_VALUE)
            {
                if (end - position < 8)
                {
                    return fail(TRUNCATED);
                }
                entryNumber = Double.longBitsToDouble(readLittleEndianLong());
                entryKind = NUMBER;
            }
            else if (tag == STRING_VALUE)
            {
                entryText = readText(ctx, end);
                if (null == entryText)
                {
                    return false;
                }
                entryKind = TEXT;
            }
            else if (!skipUnknown(tag, end, 3))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds the entry to the row's features, or replaces the value of the feature of that name (a map
     * keeps one value per key). A linear scan over hashes: rows carry tens of features.
     */
    private void put()
    {
        final CharSequence name = null == entryKey ? "" : entryKey;
        final int hash = hash(name);
        int i = 0;
        while (i < featureCount && (featureHashes[i] != hash || !sameChars(featureNames[i], name)))
        {
            i++;
        }
        if (i == featureCount)
        {
            if (featureCount == featureNames.length)
            {
                growFeatures();
            }
            featureNames[i] = name;
            featureHashes[i] = hash;
            featureCount++;
        }
        featureKinds[i] = entryKind;
        featureNumbers[i] = entryNumber;
        featureTexts[i] = entryText;
    }

    /** Hands the row's features to the context as today's mapping of the parsed map does. */
    private void hand(final ScoringContext ctx, final int index)
    {
        for (int i = 0; i < featureCount; i++)
        {
            final CharSequence name = featureNames[i];
            switch (featureKinds[i])
            {
                case NUMBER -> ctx.addNumber(index, name, featureNumbers[i]);
                case TEXT -> ctx.addText(index, name, featureTexts[i]);
                default -> ctx.fail(Outcome.INVALID_ARGUMENT, "row " + index + ", feature '" + name + "': has no value");
            }
            featureTexts[i] = null;
        }
    }


    private void growFeatures()
    {
        final int capacity = featureCount * 2;
        featureNames = Arrays.copyOf(featureNames, capacity);
        featureHashes = Arrays.copyOf(featureHashes, capacity);
        featureKinds = Arrays.copyOf(featureKinds, capacity);
        featureNumbers = Arrays.copyOf(featureNumbers, capacity);
        featureTexts = Arrays.copyOf(featureTexts, capacity);
    }

    private static int hash(final CharSequence chars)
    {
        int hash = 0;
        for (int i = 0, length = chars.length(); i < length; i++)
        {
            hash = 31 * hash + chars.charAt(i);
        }
        return hash;
    }

    private static boolean sameChars(final CharSequence a, final CharSequence b)
    {
        final int length = a.length();
        if (length != b.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (a.charAt(i) != b.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
