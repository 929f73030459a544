package io.scoring.router.runtime;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A string label output's labels, in the order of the classifier's {@code classlabels_strings}: the
 * scorer carries a label as its index here (a float, like every answered number), and the encoders
 * write the label from {@link #utf8}, bytes built once at load, so answering a label allocates nothing.
 *
 * <p>Immutable; any thread.
 */
public final class LabelVocabulary
{
    /** The vocabulary of outputs that are not string labels. */
    public static final LabelVocabulary NONE = new LabelVocabulary(List.of());

    private static final byte[] EMPTY = new byte[0];

    private final List<String> labels;
    private final byte[][] utf8;
    private final Map<String, Integer> indexOfLabel = new HashMap<>();

    public LabelVocabulary(final List<String> labels)
    {
        this.labels = List.copyOf(labels);
        this.utf8 = new byte[labels.size()][];
        for (int i = 0; i < utf8.length; i++)
        {
            utf8[i] = labels.get(i).getBytes(StandardCharsets.UTF_8);
            indexOfLabel.putIfAbsent(labels.get(i), i);
        }
    }

    public List<String> labels()
    {
        return labels;
    }

    public int size()
    {
        return labels.size();
    }

    /**
     * The UTF-8 bytes of the label at {@code index} as the scorer carried it, empty for an index that
     * names none (a runtime only gives labels of the vocabulary; the guard keeps a bad float from failing
     * an answer). The array is shared, never to be written.
     */
    public byte[] utf8(final float index)
    {
        return isLabel(index) ? utf8[(int)index] : EMPTY;
    }

    /** A label's index, -1 when it is not in the vocabulary. Allocation-free. */
    public int indexOf(final String label)
    {
        final Integer index = indexOfLabel.get(label);
        return null == index ? -1 : index;
    }

    private boolean isLabel(final float index)
    {
        return index >= 0 && index < utf8.length && index == (int)index;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof LabelVocabulary vocabulary && labels.equals(vocabulary.labels);
    }

    @Override
    public int hashCode()
    {
        return labels.hashCode();
    }

    @Override
    public String toString()
    {
        return labels.toString();
    }
}
