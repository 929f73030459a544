package io.scoring.gateway.pipeline;

import io.scoring.router.Model;
import io.scoring.router.ModelVersion;
import io.scoring.router.Role;
import io.scoring.router.Route;

import java.util.Arrays;

/**
 * Everything one request needs on its way through the pipeline, reused request after request by one
 * transport thread: the decoded request, the assembled input vectors, the scores, the per-row feature
 * statuses, and the outcome.
 *
 * <p>Decoders fill the request part through {@link #reset}, {@link #addRow} and {@link #addNumber} /
 * {@link #addText} (or {@link #completeTensor} when the caller sends the model's whole input); the
 * pipeline fills the rest; encoders read it. Arrays grow to the largest request seen and then stay:
 * in steady state nothing here allocates.
 *
 * <p>Threading: confined to one thread at a time (one per transport thread, see {@link #ofThread}).
 */
public final class ScoringContext
{
    /**
     * Why a request-time feature took its default. The store's reasons are FeatureStore's STATUS_*;
     * all are numbered as the own API's FeatureStatus.Reason.
     */
    public static final byte STATUS_NOT_IN_REQUEST = 3;

    /** The deadline of a call that set none. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final ThreadLocal<ScoringContext> CONTEXTS = ThreadLocal.withInitial(ScoringContext::new);

    // the request, as decoded
    CharSequence modelName;
    CharSequence versionPin;
    CharSequence requestId;
    int rowCount;
    CharSequence[] entityKeys = new CharSequence[8];

    /** Request-time features as (row, name, value) triples; a null text means the number is the value. */
    int pairCount;
    int[] pairRow = new int[32];
    CharSequence[] pairName = new CharSequence[32];
    double[] pairNumber = new double[32];
    CharSequence[] pairText = new CharSequence[32];

    /** Texts handed out to the decoder for this request ({@link #text}); reused by the next. */
    private MutableText[] texts = new MutableText[0];
    private int textCount;

    /** A V2 request's tensors and the shape of its answer. */
    private final InferTensors tensors = new InferTensors();

    /** True when the caller sent the model's complete input vectors, to be scored as they are. */
    boolean completeTensor;

    // what the pipeline made of it
    Model model;
    final Route route = new Route();
    ModelVersion version;
    Role role;
    float[] input = new float[64];
    float[] output = new float[8];

    /** How many shadows took a copy of this request. */
    int shadowed;

    /** Why each (row, feature) cell took its default, row after row; 0 where it did not. */
    byte[] cellStatus = new byte[64];
    int defaultedCount;

    Outcome outcome = Outcome.OK;
    String errorMessage = "";

    /** The call being served: its deadline and whether its caller is still there; null outside a cycle. */
    private RequestCycle.Wire<?> caller;
    /** Skip shadows and samples: the gateway is near its concurrency limit. */
    boolean shedBackground;

    // when each stage ran, for the latency metrics (System.nanoTime)
    long receivedNanos;
    long decodedNanos;
    long lookupNanos;
    long scoreNanos;
    long encodingNanos;
    /** Requests sent without an id are sampled under one made here, {@code ~<thread>-<count>}. */
    private final StringBuilder generatedId = new StringBuilder(32);
    private final String threadTag = "~" + Thread.currentThread().getId() + "-";
    private long generatedCount;
    private boolean idGenerated;

    /** The calling thread's context. */
    public static ScoringContext ofThread()
    {
        return CONTEXTS.get();
    }

    /** Marks the moment the transport began decoding the request; call before {@link #reset}. */
    public ScoringContext received(final long nanos)
    {
        receivedNanos = nanos;
        return this;
    }

    /** The call this request came on, and whether background work is shed for it; set per callback, then cleared. */
    void caller(final RequestCycle.Wire<?> caller, final boolean shedBackground)
    {
        this.caller = caller;
        this.shedBackground = shedBackground;
    }

    /** When the caller stops waiting ({@link System#nanoTime()}), or {@link #NO_DEADLINE}. */
    public long deadlineNanos()
    {
        return null == caller ? NO_DEADLINE : caller.deadlineNanos();
    }

    /**
     * Whether the request is still worth working on: OK, else DEADLINE_EXCEEDED or CANCELLED, recorded as the
     * request's outcome. A deadline that passed wins over a cancellation, since gRPC cancels at the deadline.
     */
    Outcome stillWanted()
    {
        if (null == caller)
        {
            return Outcome.OK;
        }
        final long deadline = caller.deadlineNanos();
        if (deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0)
        {
            return fail(Outcome.DEADLINE_EXCEEDED, "the deadline passed before the request was scored");
        }
        if (caller.cancelled())
        {
            return fail(Outcome.CANCELLED, "the caller cancelled the request");
        }
        return Outcome.OK;
    }

    /** Marks the end of decoding. */
    public void decoded(final long nanos)
    {
        decodedNanos = nanos;
    }

    /** Marks the start of encoding the answer. */
    public void encoding(final long nanos)
    {
        encodingNanos = nanos;
    }

    /** The request id, or one made up (once per request) when the caller sent none. Allocation-free. */
    CharSequence sampleId()
    {
        if (requestId.length() > 0)
        {
            return requestId;
        }
        if (!idGenerated)
        {
            generatedId.setLength(0);
            generatedId.append(threadTag).append(++generatedCount);
            idGenerated = true;
        }
        return generatedId;
    }

    /**
     * An empty text for the decoder to fill with one of this request's strings (a name, a key, a
     * category). It stays valid until the next {@link #reset}; no String is made for it.
     */
    public MutableText text()
    {
        if (textCount == texts.length)
        {
            texts = Arrays.copyOf(texts, Math.max(16, textCount * 2));
            for (int i = textCount; i < texts.length; i++)
            {
                texts[i] = new MutableText();
            }
        }
        return texts[textCount++].clear();
    }

    /** Starts a new request. */
    public ScoringContext reset(final CharSequence modelName, final CharSequence versionPin, final CharSequence requestId)
    {
        textCount = 0;
        tensors.reset();
        this.modelName = modelName;
        this.versionPin = null == versionPin ? "" : versionPin;
        this.requestId = null == requestId ? "" : requestId;
        rowCount = 0;
        pairCount = 0;
        completeTensor = false;
        model = null;
        version = null;
        role = null;
        defaultedCount = 0;
        outcome = Outcome.OK;
        errorMessage = "";
        lookupNanos = 0;
        scoreNanos = 0;
        shadowed = 0;
        idGenerated = false;
        return this;
    }

    /** The V2 request's tensors, as its decoder read them, and what its answer must carry. */
    public InferTensors tensors()
    {
        return tensors;
    }

    /** Sets the request's fields one by one, for decoders that meet them in any order (JSON). */
    public void modelName(final CharSequence modelName)
    {
        this.modelName = modelName;
    }

    public void versionPin(final CharSequence versionPin)
    {
        this.versionPin = versionPin;
    }

    public void requestId(final CharSequence requestId)
    {
        this.requestId = requestId;
    }

    /** Adds a row for this entity key (empty when the request has none) and returns its index. */
    public int addRow(final CharSequence entityKey)
    {
        if (rowCount == entityKeys.length)
        {
            entityKeys = Arrays.copyOf(entityKeys, rowCount * 2);
        }
        entityKeys[rowCount] = null == entityKey ? "" : entityKey;
        return rowCount++;
    }

    /** Sets the entity key of a row added earlier (V2 sends keys and features as separate tensors). */
    public void entityKey(final int row, final CharSequence entityKey)
    {
        entityKeys[row] = entityKey;
    }

    public void addNumber(final int row, final CharSequence feature, final double value)
    {
        addPair(row, feature, value, null);
    }

    public void addText(final int row, final CharSequence feature, final CharSequence value)
    {
        addPair(row, feature, Double.NaN, value);
    }

    private void addPair(final int row, final CharSequence feature, final double number, final CharSequence text)
    {
        if (pairCount == pairRow.length)
        {
            final int capacity = pairCount * 2;
            pairRow = Arrays.copyOf(pairRow, capacity);
            pairName = Arrays.copyOf(pairName, capacity);
            pairNumber = Arrays.copyOf(pairNumber, capacity);
            pairText = Arrays.copyOf(pairText, capacity);
        }
        pairRow[pairCount] = row;
        pairName[pairCount] = feature;
        pairNumber[pairCount] = number;
        pairText[pairCount] = text;
        pairCount++;
    }

    /**
     * Declares that the request carries {@code rows} complete input vectors and returns the array to
     * write them into, {@code featureCount} floats per row, row after row. A model with several inputs
     * calls it once per input: the first declares the rows, the others get the same array.
     */
    public float[] completeTensor(final int rows, final int featureCount)
    {
        if (completeTensor)
        {
            return input;
        }
        completeTensor = true;
        for (int i = 0; i < rows; i++)
        {
            addRow("");
        }
        return inputCapacity(rows * featureCount);
    }

    float[] inputCapacity(final int floats)
    {
        if (input.length < floats)
        {
            input = new float[Math.max(floats, input.length * 2)];
        }
        return input;
    }

    float[] outputCapacity(final int floats)
    {
        if (output.length < floats)
        {
            output = new float[Math.max(floats, output.length * 2)];
        }
        return output;
    }

    /** Sizes and clears the status cells for the assembled rows. */
    void clearStatus(final int cells)
    {
        if (cellStatus.length < cells)
        {
            cellStatus = new byte[Math.max(cells, cellStatus.length * 2)];
        }
        Arrays.fill(cellStatus, 0, cells, (byte)0);
    }

    /** Ends the request with an outcome other than OK; returns it so callers can {@code return fail(..)}. */
    public Outcome fail(final Outcome outcome, final String message)
    {
        this.outcome = outcome;
        this.errorMessage = message;
        return outcome;
    }

    /** Lets a decoder resolve the model early (V2 needs its config to read named inputs). */
    public void model(final Model model)
    {
        this.model = model;
    }

    public CharSequence modelName()
    {
        return modelName;
    }

    /** The version the caller pinned, empty when it pinned none. */
    public CharSequence versionPin()
    {
        return versionPin;
    }

    public CharSequence entityKey(final int row)
    {
        return entityKeys[row];
    }

    /** How many request-time features the decoder added, over all rows ({@link #addNumber}, {@link #addText}). */
    public int requestFeatureCount()
    {
        return pairCount;
    }

    public int requestFeatureRow(final int index)
    {
        return pairRow[index];
    }

    public CharSequence requestFeatureName(final int index)
    {
        return pairName[index];
    }

    /** The feature's number, when it came as one ({@link #requestFeatureText} is null then). */
    public double requestFeatureNumber(final int index)
    {
        return pairNumber[index];
    }

    /** The feature's text, or null when it came as a number. */
    public CharSequence requestFeatureText(final int index)
    {
        return pairText[index];
    }

    /** The caller's request id, empty when it sent none. */
    public CharSequence requestId()
    {
        return requestId;
    }

    /** True when the request carries the model's complete input tensors ({@link #completeTensor}). */
    public boolean isCompleteTensor()
    {
        return completeTensor;
    }

    public int rowCount()
    {
        return rowCount;
    }

    public Model model()
    {
        return model;
    }

    public ModelVersion version()
    {
        return version;
    }

    public Role role()
    {
        return role;
    }

    public Outcome outcome()
    {
        return outcome;
    }

    public String errorMessage()
    {
        return errorMessage;
    }

    public int outputCount()
    {
        return model.config().outputCount();
    }

    /** Score {@code output} of {@code row}. */
    public float score(final int row, final int outputIndex)
    {
        return output[row * outputCount() + outputIndex];
    }

    /** How many (row, feature) cells took a default. */
    public int defaultedCount()
    {
        return defaultedCount;
    }

    /** Why this row's feature took its default ({@code STATUS_*}), or 0 when it did not. */
    public byte status(final int row, final int featureIndex)
    {
        return cellStatus[row * model.config().featureCount() + featureIndex];
    }

    /**
     * A copy of a row's assembled input: bench's compute-floor benchmark scores exactly the vector the
     * pipeline built. Allocates, so never on the request path.
     */
    public float[] assembledRow(final int row)
    {
        final int featureCount = model.config().featureCount();
        return Arrays.copyOfRange(input, row * featureCount, (row + 1) * featureCount);
    }
}
