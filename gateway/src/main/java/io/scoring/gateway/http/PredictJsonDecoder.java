package io.scoring.gateway.http;

import io.scoring.gateway.pipeline.MutableText;
import io.scoring.gateway.pipeline.ScoringContext;


/**
 * Reads a {@code POST /v1/predict} body (the shape in README, "Predict"; the tests' Jackson reference is
 * PredictJson) into a {@link ScoringContext} without allocating, with the strict reader of
 * {@link JsonReader} (strings, numbers, errors).
 *
 * <p><b>Structure.</b> Every value's place in the shape fixes its type, so a value of another type is
 * refused where it starts and nothing is ever skipped: nesting never goes deeper than the shape's
 * four levels, well inside the 64 the Jackson reader allowed. Duplicate fields are applied in order,
 * as before (a later {@code model} wins; a second {@code rows} adds rows). Anything but whitespace
 * after the object is refused.
 *
 * <p>Threading: one decoder per thread; it keeps its buffer and scratch text between requests.
 */
public final class PredictJsonDecoder extends JsonReader
{
    @Override
    void decodeBody(final ScoringContext ctx) throws JsonBodyException
    {
        ctx.reset("", "", "");
        if (openBody())
        {
            do
            {
                readName();
                if (nameIs("model"))
                {
                    ctx.modelName(readText(ctx, "model"));
                }
                else if (nameIs("version"))
                {
                    ctx.versionPin(readText(ctx, "version"));
                }
                else if (nameIs("request_id") || nameIs("requestId"))
                {
                    ctx.requestId(readText(ctx, "request_id"));
                }
                else if (nameIs("rows"))
                {
                    decodeRows(ctx);
                }
                else
                {
                    throw new JsonBodyException("unknown field '" + name + "'");
                }
            }
            while (nextField());
        }
        closeBody();
        if (ctx.modelName().length() == 0)
        {
            throw new JsonBodyException("'model' is required");
        }
    }

    private void decodeRows(final ScoringContext ctx) throws JsonBodyException
    {
        if (peekValue() != '[')
        {
            throw notA("rows", "an array");
        }
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return;
        }
        while (true)
        {
            final int row = ctx.addRow("");
            decodeRow(ctx, row);
            skipWhitespace();
            final byte next = peek();
            position++;
            if (next == ']')
            {
                return;
            }
            if (next != ',')
            {
                throw malformed(position - 1, "expected ',' or ']' in rows but found " + describe(position - 1));
            }
        }
    }

    private void decodeRow(final ScoringContext ctx, final int row) throws JsonBodyException
    {
        if (peekValue() != '{')
        {
            throw notA("rows[" + row + "]", "an object");
        }
        position++;
        if (firstField())
        {
            do
            {
                readName();
                if (nameIs("entity_key") || nameIs("entityKey"))
                {
                    if (peekValue() != '"')
                    {
                        throw notA("rows[" + row + "].entity_key", "a string");
                    }
                    ctx.entityKey(row, readString(ctx.text()));
                }
                else if (nameIs("features"))
                {
                    decodeFeatures(ctx, row);
                }
                else
                {
                    throw new JsonBodyException("rows[" + row + "]: unknown field '" + name + "'");
                }
            }
            while (nextField());
        }
    }

    private void decodeFeatures(final ScoringContext ctx, final int row) throws JsonBodyException
    {
        if (peekValue() != '{')
        {
            throw notA("rows[" + row + "].features", "an object");
        }
        position++;
        if (firstField())
        {
            do
            {
                skipWhitespace();
                expectString("a feature name");
                final MutableText feature = readString(ctx.text());
                colon();
                final byte first = peekValue();
                if (first == '"')
                {
                    ctx.addText(row, feature, readString(ctx.text()));
                }
                else if (first == '-' || (first >= '0' && first <= '9'))
                {
                    ctx.addNumber(row, feature, readNumber());
                }
                else
                {
                    throw notA("rows[" + row + "].features." + feature, "a number or a string");
                }
            }
            while (nextField());
        }
    }

}
