package io.scoring.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One input of credit-risk as model.json declares it: where the gateway gets the value and what it
 * uses when the value is absent.
 *
 * @param defaultValue the encoded default (a category's index for a categorical), NaN for none: a
 *                     request feature without a default must be sent
 */
public record ModelFeature(ArffAttribute attribute, Source source, float defaultValue)
{
    /** What the caller sends with each request; everything else is looked up by applicant id. */
    public static final List<String> REQUEST_FEATURES =
        List.of("duration", "purpose", "credit_amount", "installment_commitment");
    /** Request features the caller may leave out (the training median stands in). */
    public static final Set<String> OPTIONAL_REQUEST_FEATURES = Set.of("installment_commitment");

    public enum Source
    {
        REQUEST, STORE;

        public String jsonName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The model's features in model order (the ARFF's attribute order). Defaults come from the training
     * rows only: a numeric's median, a categorical's most frequent category.
     */
    public static List<ModelFeature> of(final CreditData data, final int[] trainRows)
    {
        for (final String name : REQUEST_FEATURES)
        {
            if (data.features().stream().noneMatch(f -> f.name().equals(name)))
            {
                throw new IllegalArgumentException("request feature " + name + " is not in the data");
            }
        }
        final float[][] train = data.rows(trainRows);
        final List<ModelFeature> features = new ArrayList<>();
        for (int f = 0; f < data.featureCount(); f++)
        {
            final ArffAttribute attribute = data.features().get(f);
            final float trainingDefault = attribute.isNumeric() ?
                (float)ColumnStats.median(train, f) :
                ColumnStats.mode(train, f, attribute.categories().size());
            if (!REQUEST_FEATURES.contains(attribute.name()))
            {
                features.add(new ModelFeature(attribute, Source.STORE, trainingDefault));
            }
            else
            {
                final boolean optional = OPTIONAL_REQUEST_FEATURES.contains(attribute.name());
                features.add(new ModelFeature(attribute, Source.REQUEST, optional ? trainingDefault : Float.NaN));
            }
        }
        return features;
    }

    public String name()
    {
        return attribute.name();
    }

    public boolean hasDefault()
    {
        return !Float.isNaN(defaultValue);
    }
}
