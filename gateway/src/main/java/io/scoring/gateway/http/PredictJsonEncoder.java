package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureStatus;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OutputForm;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the answer to a {@code POST /v1/predict} (the shape in README, "Predict"; the tests' Jackson
 * reference is PredictJson) straight into a ByteBuf, without allocating: the fixed parts are precomputed
 * bytes, strings are escaped character by character from their CharSequences, scores go through
 * {@link FloatFormat}.
 *
 * <pre>
 * {"request_id":"r-1","model":"credit-risk","version":"1","role":"champion",
 *  "results":[{"scores":[0.12],"feature_status":[{"feature":"age","reason":"ENTITY_NOT_FOUND"}]}]}
 * </pre>
 * A version with string label outputs adds each row's labels by output name, after its scores:
 * {@code "scores":[0.12,1],"labels":{"output_label":"bad"},"feature_status":[]}.
 *
 * <p>Stateless; any thread.
 */
public final class PredictJsonEncoder
{
    private static final byte[] REQUEST_ID = ascii("{\"request_id\":\"");
    private static final byte[] MODEL = ascii("\",\"model\":\"");
    private static final byte[] VERSION = ascii("\",\"version\":\"");
    private static final byte[] ROLE = ascii("\",\"role\":\"");
    private static final byte[] RESULTS = ascii("\",\"results\":[");
    private static final byte[] SCORES = ascii("{\"scores\":[");
    private static final byte[] LABELS = ascii("],\"labels\":{\"");
    private static final byte[] NAME_VALUE = ascii("\":\"");
    private static final byte[] NEXT_LABEL = ascii("\",\"");
    private static final byte[] LABELS_END = ascii("\"}");
    private static final byte[] FEATURE_STATUS = ascii(",\"feature_status\":[");
    private static final byte[] FEATURE = ascii("{\"feature\":\"");
    /** Ends a row (its feature_status, then the row) and the answer (its results, then the answer). */
    private static final byte[] END_ARRAY_AND_OBJECT = ascii("]}");

    /** {@code ","reason":"NAME"}} per FeatureStatus.Reason number. */
    private static final byte[][] REASONS = reasons();

    private static final byte[] HEX = ascii("0123456789abcdef");

    private PredictJsonEncoder()
    {
    }

    /** Appends the answer for the scored request in {@code ctx} to {@code out}. */
    public static void encode(final ScoringContext ctx, final ByteBuf out)
    {
        out.writeBytes(REQUEST_ID);
        writeEscaped(out, ctx.requestId());
        out.writeBytes(MODEL);
        writeEscaped(out, ctx.model().name());
        out.writeBytes(VERSION);
        writeEscaped(out, ctx.version().version());
        out.writeBytes(ROLE);
        writeEscaped(out, ctx.role().wireName());
        out.writeBytes(RESULTS);
        final ModelConfig config = ctx.model().config();
        final int featureCount = config.featureCount();
        final int outputCount = ctx.outputCount();
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            if (row > 0)
            {
                out.writeByte(',');
            }
            out.writeBytes(SCORES);
            for (int j = 0; j < outputCount; j++)
            {
                if (j > 0)
                {
                    out.writeByte(',');
                }
                FloatFormat.write(out, ctx.score(row, j));
            }
            writeLabels(ctx, row, out);
            out.writeBytes(FEATURE_STATUS);
            boolean first = true;
            for (int f = 0; ctx.defaultedCount() > 0 && f < featureCount; f++)
            {
                final byte status = ctx.status(row, f);
                if (status != 0)
                {
                    if (!first)
                    {
                        out.writeByte(',');
                    }
                    first = false;
                    out.writeBytes(FEATURE);
                    writeEscaped(out, config.features().get(f).name());
                    out.writeBytes(REASONS[status]);
                }
            }
            out.writeBytes(END_ARRAY_AND_OBJECT);
        }
        out.writeBytes(END_ARRAY_AND_OBJECT);
    }

    /** Ends the row's scores, then writes its string labels by output name, if the version has any. */
    private static void writeLabels(final ScoringContext ctx, final int row, final ByteBuf out)
    {
        final List<OutputForm> forms = ctx.version().scorer().outputForms();
        boolean first = true;
        for (int j = 0, count = ctx.outputCount(); j < count; j++)
        {
            final OutputForm form = forms.get(j);
            if (form.isStringLabel())
            {
                out.writeBytes(first ? LABELS : NEXT_LABEL);
                first = false;
                writeEscaped(out, form.name());
                out.writeBytes(NAME_VALUE);
                writeEscaped(out, form.labels().utf8(ctx.score(row, j)));
            }
        }
        if (first)
        {
            out.writeByte(']');
        }
        else
        {
            out.writeBytes(LABELS_END);
        }
    }

    /** The characters as the inside of a JSON string: UTF-8, with RFC 8259's escapes. */
    static void writeEscaped(final ByteBuf out, final CharSequence text)
    {
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                writeAscii(out, c);
            }
            else if (c < 0x800)
            {
                out.writeByte(0xC0 | (c >> 6)).writeByte(0x80 | (c & 0x3F));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, text.charAt(++i));
                out.writeByte(0xF0 | (codePoint >> 18))
                    .writeByte(0x80 | ((codePoint >> 12) & 0x3F))
                    .writeByte(0x80 | ((codePoint >> 6) & 0x3F))
                    .writeByte(0x80 | (codePoint & 0x3F));
            }
            else if (Character.isSurrogate(c))
            {
                writeUnicodeEscape(out, c); // unpaired: not encodable as UTF-8, but valid as an escape
            }
            else
            {
                out.writeByte(0xE0 | (c >> 12)).writeByte(0x80 | ((c >> 6) & 0x3F)).writeByte(0x80 | (c & 0x3F));
            }
        }
    }

    /** UTF-8 bytes as the inside of a JSON string: copied, but for the ASCII characters JSON escapes. */
    static void writeEscaped(final ByteBuf out, final byte[] utf8)
    {
        for (final byte b : utf8)
        {
            if (b < 0)
            {
                out.writeByte(b); // part of a multi-byte character: never escaped
            }
            else
            {
                writeAscii(out, (char)b);
            }
        }
    }

    private static void writeAscii(final ByteBuf out, final char c)
    {
        if (c >= 0x20 && c != '"' && c != '\\')
        {
            out.writeByte(c);
            return;
        }
        switch (c)
        {
            case '"' -> out.writeByte('\\').writeByte('"');
            case '\\' -> out.writeByte('\\').writeByte('\\');
            case '\n' -> out.writeByte('\\').writeByte('n');
            case '\r' -> out.writeByte('\\').writeByte('r');
            case '\t' -> out.writeByte('\\').writeByte('t');
            case '\b' -> out.writeByte('\\').writeByte('b');
            case '\f' -> out.writeByte('\\').writeByte('f');
            default -> writeUnicodeEscape(out, c);
        }
    }

    private static void writeUnicodeEscape(final ByteBuf out, final char c)
    {
        out.writeByte('\\').writeByte('u')
            .writeByte(HEX[c >> 12]).writeByte(HEX[(c >> 8) & 0xF]).writeByte(HEX[(c >> 4) & 0xF]).writeByte(HEX[c & 0xF]);
    }

    private static byte[][] reasons()
    {
        int largest = 0;
        for (final FeatureStatus.Reason reason : FeatureStatus.Reason.values())
        {
            if (reason != FeatureStatus.Reason.UNRECOGNIZED)
            {
                largest = Math.max(largest, reason.getNumber());
            }
        }
        final byte[][] reasons = new byte[largest + 1][];
        for (final FeatureStatus.Reason reason : FeatureStatus.Reason.values())
        {
            if (reason != FeatureStatus.Reason.UNRECOGNIZED)
            {
                reasons[reason.getNumber()] = ascii("\",\"reason\":\"" + reason.name() + "\"}");
            }
        }
        return reasons;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
