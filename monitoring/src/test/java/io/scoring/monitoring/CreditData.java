package io.scoring.monitoring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The German Credit data (data/credit-g.arff at the repository root), parsed simply: the 20 input
 * attributes in file order, numeric ones as numbers, nominal ones as the index of the value in the
 * attribute's declared list. The class attribute is left out.
 */
final class CreditData
{
    final List<MonitoredFeature> features = new ArrayList<>();
    final List<float[]> rows = new ArrayList<>();

    static CreditData load() throws IOException
    {
        Path file = Path.of("..", "data", "credit-g.arff");
        if (!Files.exists(file))
        {
            file = Path.of("data", "credit-g.arff");
        }
        final CreditData data = new CreditData();
        boolean inData = false;
        for (final String raw : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            final String line = raw.trim();
            if (line.isEmpty() || line.startsWith("%"))
            {
                continue;
            }
            if (!inData && line.regionMatches(true, 0, "@attribute", 0, 10))
            {
                data.attribute(line.substring(10).trim());
            }
            else if (line.regionMatches(true, 0, "@data", 0, 5))
            {
                inData = true;
            }
            else if (inData)
            {
                data.row(split(line));
            }
        }
        return data;
    }

    int index(final String feature)
    {
        for (int i = 0; i < features.size(); i++)
        {
            if (features.get(i).name().equals(feature))
            {
                return i;
            }
        }
        throw new IllegalArgumentException(feature);
    }

    private void attribute(final String declaration)
    {
        final int space = declaration.indexOf(' ');
        final String name = declaration.substring(0, space);
        final String type = declaration.substring(space).trim();
        if ("class".equals(name))
        {
            return;
        }
        features.add(type.startsWith("{") ?
            MonitoredFeature.categorical(name, split(type.substring(1, type.lastIndexOf('}')))) : MonitoredFeature.numeric(name));
    }

    private void row(final List<String> values)
    {
        final float[] row = new float[features.size()];
        for (int i = 0; i < row.length; i++)
        {
            final MonitoredFeature feature = features.get(i);
            row[i] = feature.isCategorical() ? feature.categories().indexOf(values.get(i)) : Float.parseFloat(values.get(i));
            if (row[i] < 0)
            {
                throw new IllegalStateException("unknown category " + values.get(i) + " of " + feature.name());
            }
        }
        rows.add(row);
    }

    /** Comma separated, single quotes around values that need them. */
    private static List<String> split(final String text)
    {
        final List<String> values = new ArrayList<>();
        final StringBuilder value = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                values.add(value.toString().trim());
                value.setLength(0);
            }
            else
            {
                value.append(c);
            }
        }
        values.add(value.toString().trim());
        return values;
    }
}
