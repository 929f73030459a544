package io.scoring.router.runtime;

/**
 * Scores assembled input vectors with one model version.
 *
 * <p>Threading: {@code score} is called concurrently from the transport threads; implementations keep
 * per-thread state and allocate nothing of their own per call. An outcome is a return code, never an
 * exception.
 */
public interface Scorer extends AutoCloseable
{
    /** The call scored every row. */
    int OK = 0;

    /** The runtime failed; the outputs are not valid. */
    int FAILED = 1;

    /**
     * Scores {@code rows} vectors of {@code featureCount} floats each (a categorical feature as its
     * category's index), laid out row after row in {@code input}, and writes {@code outputCount} floats
     * per row, row after row, into {@code output}: each output's answered number ({@link OutputForm}).
     *
     * @return {@link #OK} or {@link #FAILED}
     */
    int score(float[] input, int rows, float[] output);

    /** What each configured output is in this version's graph, in config order. */
    java.util.List<OutputForm> outputForms();

    /** Which runtime serves the version, for the admin API and metadata, e.g. {@code onnxruntime}. */
    String runtimeName();

    /** The largest batch a single {@link #score} call accepts. */
    int maxRows();

    @Override
    void close();
}
