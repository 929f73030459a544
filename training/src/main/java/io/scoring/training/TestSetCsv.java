package io.scoring.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes every applicant's encoded model input, label and split, for gateway tests that send an
 * applicant's request and compare the answer with ONNX Runtime on the same vector.
 *
 * <pre>
 *   applicant_id,&lt;features in model order&gt;,label,split
 *   A0001,0,6,4,3,1169,...,0,train
 * </pre>
 *
 * A categorical column holds the category's index (model.json lists the names); label is 1 for bad.
 */
final class TestSetCsv
{
    private TestSetCsv()
    {
    }

    static void write(final Path file, final CreditData data, final List<ModelFeature> features, final StratifiedSplit split)
        throws IOException
    {
        final StringBuilder csv = new StringBuilder();
        csv.append(ModelJsonWriter.ENTITY_KEY);
        for (final ModelFeature feature : features)
        {
            csv.append(',').append(feature.name());
        }
        csv.append(",label,split\n");

        for (int row = 0; row < data.size(); row++)
        {
            csv.append(data.applicantIds().get(row));
            for (final float value : data.rows()[row])
            {
                csv.append(',').append(format(value));
            }
            csv.append(',').append(format(data.labels()[row]));
            csv.append(',').append(split.isTest(row) ? "test" : "train").append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String format(final float value)
    {
        return Json.number(value).toString();
    }
}
