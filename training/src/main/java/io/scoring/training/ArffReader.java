package io.scoring.training;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads dense ARFF files (Weka's attribute-relation format): numeric and nominal attributes, values
 * quoted with ' or " when they hold spaces or commas, "?" for a missing value, "%" comments.
 *
 * <p>String, date and relational attributes and the sparse "{index value, ...}" row form are rejected
 * with the line they appear on: the training data uses none of them.
 */
public final class ArffReader
{
    private ArffReader()
    {
    }

    public static ArffTable read(final Path file) throws IOException
    {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    public static ArffTable parse(final String text, final String source) throws IOException
    {
        String relation = null;
        final List<ArffAttribute> attributes = new ArrayList<>();
        final List<float[]> rows = new ArrayList<>();
        boolean inData = false;

        final BufferedReader lines = new BufferedReader(new StringReader(text));
        int lineNumber = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine())
        {
            lineNumber++;
            final String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("%"))
            {
                continue;
            }
            try
            {
                if (inData)
                {
                    rows.add(parseRow(trimmed, attributes));
                }
                else if (startsWithKeyword(trimmed, "@relation"))
                {
                    relation = unquote(trimmed.substring("@relation".length()).strip());
                }
                else if (startsWithKeyword(trimmed, "@attribute"))
                {
                    attributes.add(parseAttribute(trimmed.substring("@attribute".length()).strip()));
                }
                else if (startsWithKeyword(trimmed, "@data"))
                {
                    inData = true;
                }
                else
                {
                    throw new IllegalArgumentException("unexpected line before @data");
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException(source + ":" + lineNumber + ": " + ex.getMessage(), ex);
            }
        }
        if (!inData || attributes.isEmpty())
        {
            throw new IOException(source + ": no @attribute declarations or no @data section");
        }
        return new ArffTable(relation, attributes, rows);
    }

    private static boolean startsWithKeyword(final String line, final String keyword)
    {
        return line.length() >= keyword.length() &&
            line.substring(0, keyword.length()).toLowerCase(Locale.ROOT).equals(keyword) &&
            (line.length() == keyword.length() || Character.isWhitespace(line.charAt(keyword.length())));
    }

    private static ArffAttribute parseAttribute(final String declaration)
    {
        final int nameEnd = endOfName(declaration);
        final String name = unquote(declaration.substring(0, nameEnd));
        final String type = declaration.substring(nameEnd).strip();
        if (type.startsWith("{"))
        {
            if (!type.endsWith("}"))
            {
                throw new IllegalArgumentException("attribute " + name + ": unterminated category list");
            }
            return ArffAttribute.nominal(name, splitValues(type.substring(1, type.length() - 1)));
        }
        final String keyword = type.toLowerCase(Locale.ROOT);
        if (keyword.equals("numeric") || keyword.equals("real") || keyword.equals("integer"))
        {
            return ArffAttribute.numeric(name);
        }
        throw new IllegalArgumentException("attribute " + name + ": unsupported type '" + type + "'");
    }

    private static int endOfName(final String declaration)
    {
        final char first = declaration.charAt(0);
        if (first == '\'' || first == '"')
        {
            final int close = declaration.indexOf(first, 1);
            if (close < 0)
            {
                throw new IllegalArgumentException("unterminated attribute name");
            }
            return close + 1;
        }
        int end = 0;
        while (end < declaration.length() && !Character.isWhitespace(declaration.charAt(end)) &&
            declaration.charAt(end) != '{')
        {
            end++;
        }
        return end;
    }

    private static float[] parseRow(final String line, final List<ArffAttribute> attributes)
    {
        if (line.startsWith("{"))
        {
            throw new IllegalArgumentException("sparse rows are not supported");
        }
        final List<String> values = splitValues(line);
        if (values.size() != attributes.size())
        {
            throw new IllegalArgumentException(
                "row has " + values.size() + " values, the header declares " + attributes.size() + " attributes");
        }
        final float[] row = new float[values.size()];
        for (int i = 0; i < row.length; i++)
        {
            row[i] = attributes.get(i).encode(values.get(i));
        }
        return row;
    }

    /** Splits on commas outside quotes, strips blanks around each value and removes its quotes. */
    static List<String> splitValues(final String text)
    {
        final List<String> values = new ArrayList<>();
        final StringBuilder value = new StringBuilder();
        char quote = 0;
        boolean wasQuoted = false;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (quote != 0)
            {
                if (c == '\\' && i + 1 < text.length())
                {
                    value.append(text.charAt(++i));
                }
                else if (c == quote)
                {
                    quote = 0;
                }
                else
                {
                    value.append(c);
                }
            }
            else if (c == '\'' || c == '"')
            {
                if (value.toString().isBlank())
                {
                    value.setLength(0);
                }
                quote = c;
                wasQuoted = true;
            }
            else if (c == ',')
            {
                values.add(wasQuoted ? value.toString() : value.toString().strip());
                value.setLength(0);
                wasQuoted = false;
            }
            else if (!(wasQuoted && Character.isWhitespace(c)))
            {
                value.append(c);
            }
        }
        if (quote != 0)
        {
            throw new IllegalArgumentException("unterminated quote");
        }
        values.add(wasQuoted ? value.toString() : value.toString().strip());
        return values;
    }

    private static String unquote(final String token)
    {
        final List<String> values = splitValues(token);
        if (values.size() != 1)
        {
            throw new IllegalArgumentException("expected one name, got '" + token + "'");
        }
        return values.get(0);
    }
}
