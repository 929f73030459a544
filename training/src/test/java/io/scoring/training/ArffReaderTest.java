package io.scoring.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArffReaderTest
{
    static final Path CREDIT_G = Path.of("../data/credit-g.arff");

    @Test
    void shouldReadAllThousandApplicantsWithTwentyFeaturesAndALabel() throws IOException
    {
        final CreditData data = CreditData.from(ArffReader.read(CREDIT_G));

        assertEquals(1000, data.size());
        assertEquals(20, data.featureCount());
        assertEquals(13, data.features().stream().filter(f -> !f.isNumeric()).count());
        for (final float[] row : data.rows())
        {
            assertEquals(20, row.length);
            for (final float value : row)
            {
                assertTrue(Float.isFinite(value));
            }
        }
        assertEquals(300, (int)sum(data.labels()), "the data set has 300 bad applicants");
        assertEquals("A0001", data.applicantIds().get(0));
        assertEquals("A1000", data.applicantIds().get(999));
    }

    @Test
    void shouldEncodeTheFirstApplicantByDeclaredCategoryOrder() throws IOException
    {
        // '<0',6,'critical/other existing credit',radio/tv,1169,'no known savings','>=7',4,'male single',...,good
        final CreditData data = CreditData.from(ArffReader.read(CREDIT_G));
        final float[] first = data.rows()[0];

        assertEquals("checking_status", data.features().get(0).name());
        assertEquals(0f, first[0]);
        assertEquals(6f, first[1]);
        assertEquals(4f, first[2]);
        assertEquals(3f, first[3], "radio/tv is the 4th purpose");
        assertEquals(1169f, first[4]);
        assertEquals(0f, data.labels()[0], "good is 0");
        assertEquals(1f, data.labels()[1], "bad is 1");
    }

    @Test
    void shouldKeepCommasAndSpacesInsideQuotesAndTreatQuestionMarkAsMissing() throws IOException
    {
        final ArffTable table = ArffReader.parse("""
            % comment
            @relation 'two words'
            @attribute 'the size' numeric
            @attribute colour { red, 'dark, blue', "light green"}

            @data
            1.5, 'dark, blue'
            ?,"light green"
            """, "inline");

        assertEquals("two words", table.relation());
        assertEquals(List.of("red", "dark, blue", "light green"), table.attributes().get(1).categories());
        assertEquals(1.5f, table.rows().get(0)[0]);
        assertEquals(1f, table.rows().get(0)[1]);
        assertTrue(Float.isNaN(table.rows().get(1)[0]));
        assertEquals(2f, table.rows().get(1)[1]);
    }

    @Test
    void shouldRejectAnUndeclaredCategoryNamingItsLine()
    {
        final IOException error = assertThrows(IOException.class, () -> ArffReader.parse("""
            @relation r
            @attribute colour {red, blue}
            @data
            red
            green
            """, "inline"));

        assertTrue(error.getMessage().startsWith("inline:5:"), error.getMessage());
        assertTrue(error.getMessage().contains("green"), error.getMessage());
    }

    @Test
    void shouldRejectARowWithTheWrongNumberOfValues()
    {
        assertThrows(IOException.class, () -> ArffReader.parse("""
            @relation r
            @attribute a numeric
            @attribute b numeric
            @data
            1,2,3
            """, "inline"));
    }

    static double sum(final float[] values)
    {
        double sum = 0;
        for (final float v : values)
        {
            sum += v;
        }
        return sum;
    }
}
