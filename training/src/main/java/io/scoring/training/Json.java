package io.scoring.training;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the command's JSON files the same way on every machine: two-space indent, "\n" line ends
 * (Jackson's default is the platform's), "key": value, a final newline. Maps keep insertion order.
 */
final class Json
{
    private static final ObjectWriter WRITER = new ObjectMapper().writer(
        new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private Json()
    {
    }

    static void write(final Path file, final Object value) throws IOException
    {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, (WRITER.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A float as JSON shows it best: an integer when it is one (33, not 33.0). */
    static Number number(final float value)
    {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Number)(long)value : (Number)(double)value;
    }

    /** A metric rounded to 6 decimals, so the files do not carry float noise. */
    static double rounded(final double value)
    {
        return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).doubleValue();
    }
}
