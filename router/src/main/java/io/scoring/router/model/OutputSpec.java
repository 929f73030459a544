package io.scoring.router.model;

/**
 * One output of a model, as model.json names it, and what it means. The graph decides its form (a
 * float tensor {@code [batch]}, {@code [batch, 1]} or {@code [batch, C]}, a ZipMap, an integer label);
 * the runtime resolves it at load into one number per row ({@code io.scoring.router.runtime.OutputForm}).
 *
 * @param name              the ONNX output name
 * @param description       what the score means, for people reading answers and metadata
 * @param decisionThreshold the score at or above which the decision is positive; NaN when none is set
 * @param classKey          which class to answer, as model.json writes it: the column of a {@code [batch, C]}
 *                          tensor (a number), or a ZipMap's key (a number for int64 keys, text for string
 *                          keys); null when the output is one number per row
 */
public record OutputSpec(String name, String description, double decisionThreshold, String classKey)
{
    public OutputSpec(final String name, final String description, final double decisionThreshold)
    {
        this(name, description, decisionThreshold, null);
    }

    public boolean hasClass()
    {
        return null != classKey;
    }
}
