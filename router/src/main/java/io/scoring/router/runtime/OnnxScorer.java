package io.scoring.router.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.InputSpec;
import io.scoring.router.model.ModelConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores with an ONNX Runtime session set up for latency: one intra-op thread, sequential execution,
 * no spinning (the calling transport thread does the work; spinning threads would steal its core).
 *
 * <p>The assembled row holds one float per feature (a category's index for a categorical). The scorer
 * lays it out into the graph's inputs as model.json maps them: each input's features in column order,
 * written in its element type (float, double, int32, int64, bool), or, for a string input, as the
 * category's name (the configured {@code categories} strings themselves: nothing is formatted).
 *
 * <p>Per calling thread it keeps direct buffers for every numeric input and every fetched output, and
 * the tensors over them, one set per batch size, created the first time the thread sees that size. A call
 * writes the inputs, runs the session into the pinned outputs and reads each answered column back:
 * nothing of ours is created per call for numeric inputs (ONNX Runtime's Java binding still allocates
 * its small {@code Result} and a few arrays per run). Strings are the exception: ONNX Runtime copies
 * strings into a tensor of its own, so each call creates and closes one for a string input, and a string
 * label output cannot be pinned either: it is fetched as ONNX Runtime's own tensor, read back as Java
 * strings and mapped to each label's index in its {@link LabelVocabulary} (docs/PERFORMANCE.md measures
 * both).
 *
 * <p>Threading: {@link #score} is safe from any number of threads; {@link #close} must only be called
 * when no thread is scoring.
 */
final class OnnxScorer implements Scorer
{
    private final OrtEnvironment env;
    private static final AtomicInteger OPEN_SESSIONS = new AtomicInteger();

    private final OrtSession session;
    private final int featureCount;
    private final int maxRows;
    private final Input[] inputs;
    private final List<OutputForm> forms;
    /** The distinct graph values read (several answered outputs may read columns of one). */
    private final String[] fetched;
    private final int[] widthOfFetched;
    private final OnnxJavaType[] typeOfFetched;
    private final int[] rankOfFetched;
    /** The fetched string labels, which ONNX Runtime cannot write into a pinned buffer; empty on numeric paths. */
    private final Set<String> unpinned;
    /** Per answered output: which fetched value, and which column of it. */
    private final int[] fetchedOfOutput;
    private final int[] columnOfOutput;
    private final ThreadLocal<ThreadTensors> tensorsOfThread = ThreadLocal.withInitial(this::newThreadTensors);
    private final List<ThreadTensors> allTensors = new CopyOnWriteArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure = "";
    private boolean closed;

    OnnxScorer(
        final OrtEnvironment env,
        final OrtSession session,
        final ModelConfig config,
        final List<OutputForm> forms,
        final int maxRows) throws OrtException
    {
        this.env = env;
        this.session = session;
        this.featureCount = config.featureCount();
        this.maxRows = maxRows;
        this.inputs = new Input[config.inputs().size()];
        for (int i = 0; i < inputs.length; i++)
        {
            final InputSpec spec = config.inputs().get(i);
            final long[] shape = ((ai.onnxruntime.TensorInfo)session.getInputInfo().get(spec.name()).getInfo()).getShape();
            inputs[i] = new Input(spec, shape.length);
        }
        this.forms = List.copyOf(forms);
        final Map<String, Integer> fetchedIndex = new LinkedHashMap<>();
        this.fetchedOfOutput = new int[forms.size()];
        this.columnOfOutput = new int[forms.size()];
        final List<Integer> widths = new ArrayList<>();
        final List<OnnxJavaType> types = new ArrayList<>();
        final List<Integer> ranks = new ArrayList<>();
        for (int j = 0; j < forms.size(); j++)
        {
            final OutputForm form = forms.get(j);
            final Integer known = fetchedIndex.get(form.fetched());
            if (null == known)
            {
                fetchedIndex.put(form.fetched(), widths.size());
                widths.add(form.width());
                final ai.onnxruntime.TensorInfo info =
                    (ai.onnxruntime.TensorInfo)session.getOutputInfo().get(form.fetched()).getInfo();
                types.add(info.type);
                ranks.add(info.getShape().length);
            }
            fetchedOfOutput[j] = fetchedIndex.get(form.fetched());
            columnOfOutput[j] = form.column();
        }
        this.fetched = fetchedIndex.keySet().toArray(new String[0]);
        this.widthOfFetched = widths.stream().mapToInt(Integer::intValue).toArray();
        this.typeOfFetched = types.toArray(new OnnxJavaType[0]);
        this.rankOfFetched = ranks.stream().mapToInt(Integer::intValue).toArray();
        final Set<String> strings = new HashSet<>();
        for (int f = 0; f < fetched.length; f++)
        {
            if (typeOfFetched[f] == OnnxJavaType.STRING)
            {
                strings.add(fetched[f]);
            }
        }
        this.unpinned = Set.copyOf(strings);
    }

    /** Options for a session that serves one request at a time per calling thread, with the lowest latency. */
    /**
     * A session over the model with {@link #latencyOptions}, counted in {@link #openSessions} until
     * {@link #closeSession}: its native memory is ONNX Runtime's, out of the JVM's sight, so a load that failed and
     * forgot its session would show nowhere else (OnnxModelFuzzTest holds every load to it).
     */
    static OrtSession openSession(final OrtEnvironment env, final byte[] model) throws OrtException
    {
        try (OrtSession.SessionOptions options = latencyOptions())
        {
            final OrtSession session = env.createSession(model, options);
            OPEN_SESSIONS.incrementAndGet();
            return session;
        }
    }

    static void closeSession(final OrtSession session) throws OrtException
    {
        session.close();
        OPEN_SESSIONS.decrementAndGet();
    }

    /** Sessions opened by {@link #openSession} and not closed, in this process. */
    static int openSessions()
    {
        return OPEN_SESSIONS.get();
    }

    static OrtSession.SessionOptions latencyOptions() throws OrtException
    {
        final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    @Override
    public int score(final float[] input, final int rows, final float[] output)
    {
        if (rows < 1 || rows > maxRows)
        {
            return FAILED;
        }
        final ThreadTensors tensors = tensorsOfThread.get();
        final Batch batch;
        try
        {
            batch = tensors.batch(rows);
        }
        catch (final OrtException ex)
        {
            return failed(ex);
        }

        for (int i = 0; i < inputs.length; i++)
        {
            if (inputs[i].strings)
            {
                writeNames(inputs[i], input, rows, batch.names[i]);
            }
            else
            {
                write(inputs[i], input, rows, tensors.inputs[i]);
            }
        }
        try
        {
            for (int i = 0; i < inputs.length; i++)
            {
                if (inputs[i].strings)
                {
                    batch.inputs.put(inputs[i].name, OnnxTensor.createTensor(env, batch.names[i], batch.shapes[i]));
                }
            }
            try (OrtSession.Result result = session.run(batch.inputs, unpinned, batch.pinnedOutputs))
            {
                read(tensors, result, rows, output);
                return OK;
            }
        }
        catch (final OrtException | RuntimeException ex)
        {
            return failed(ex);
        }
        finally
        {
            for (final Input in : inputs)
            {
                if (in.strings)
                {
                    final OnnxTensor names = batch.inputs.get(in.name);
                    if (null != names)
                    {
                        names.close();
                        batch.inputs.put(in.name, null);
                    }
                }
            }
        }
    }

    private void write(final Input in, final float[] vector, final int rows, final ByteBuffer buffer)
    {
        final int width = in.features.length;
        for (int row = 0; row < rows; row++)
        {
            final int base = row * featureCount;
            for (int c = 0; c < width; c++)
            {
                final float value = vector[base + in.features[c]];
                final int cell = row * width + c;
                switch (in.type)
                {
                    case FLOAT -> buffer.putFloat(cell * Float.BYTES, value);
                    case DOUBLE -> buffer.putDouble(cell * Double.BYTES, value);
                    case INT32 -> buffer.putInt(cell * Integer.BYTES, (int)value);
                    case INT64 -> buffer.putLong(cell * Long.BYTES, (long)value);
                    case BOOL -> buffer.put(cell, (byte)(value != 0f ? 1 : 0));
                    default -> throw new IllegalStateException("not numeric: " + in.type);
                }
            }
        }
    }

    /** A string input's cells: each categorical feature's category name, "" for a code outside its categories. */
    private void writeNames(final Input in, final float[] vector, final int rows, final String[] names)
    {
        final int width = in.features.length;
        for (int row = 0; row < rows; row++)
        {
            final int base = row * featureCount;
            for (int c = 0; c < width; c++)
            {
                final float code = vector[base + in.features[c]];
                final List<String> categories = in.categories[c];
                names[row * width + c] = code >= 0 && code < categories.size() && code == (int)code ?
                    categories.get((int)code) : "";
            }
        }
    }

    private void read(final ThreadTensors tensors, final OrtSession.Result result, final int rows,
        final float[] output) throws OrtException
    {
        final int outputCount = forms.size();
        for (int j = 0; j < outputCount; j++)
        {
            final int f = fetchedOfOutput[j];
            if (typeOfFetched[f] == OnnxJavaType.STRING)
            {
                readLabels(forms.get(j).labels(), result, f, rows, output, j);
                continue;
            }
            final ByteBuffer values = tensors.outputs[f];
            final int width = widthOfFetched[f];
            final int column = columnOfOutput[j];
            for (int row = 0; row < rows; row++)
            {
                final int cell = row * width + column;
                output[row * outputCount + j] = switch (typeOfFetched[f])
                {
                    case DOUBLE -> (float)values.getDouble(cell * Double.BYTES);
                    case INT64 -> values.getLong(cell * Long.BYTES);
                    case INT32 -> values.getInt(cell * Integer.BYTES);
                    default -> values.getFloat(cell * Float.BYTES);
                };
            }
        }
    }

    /** A string label's rows as their indices in its vocabulary (-1, answered as "", for one outside it). */
    private void readLabels(final LabelVocabulary labels, final OrtSession.Result result, final int f,
        final int rows, final float[] output, final int j) throws OrtException
    {
        final OnnxValue value = result.get(fetched[f]).orElseThrow();
        final Object strings = value.getValue();
        final int outputCount = forms.size();
        for (int row = 0; row < rows; row++)
        {
            final String label = rankOfFetched[f] == 1 ? ((String[])strings)[row] : ((String[][])strings)[row][0];
            output[row * outputCount + j] = labels.indexOf(label);
        }
    }

    private int failed(final Exception ex)
    {
        failures.incrementAndGet();
        lastFailure = String.valueOf(ex.getMessage());
        return FAILED;
    }

    /** How many calls failed, and the last failure's message: for the admin API and logs. */
    long failures()
    {
        return failures.get();
    }

    String lastFailure()
    {
        return lastFailure;
    }

    @Override
    public List<OutputForm> outputForms()
    {
        return forms;
    }

    @Override
    public String runtimeName()
    {
        return "onnxruntime";
    }

    @Override
    public int maxRows()
    {
        return maxRows;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return; // the session is closed and counted once
        }
        closed = true;
        for (final ThreadTensors tensors : allTensors)
        {
            tensors.close();
        }
        allTensors.clear();
        try
        {
            closeSession(session);
        }
        catch (final OrtException ignore)
        {
            // closing a session only fails if it was closed already
        }
    }

    private ThreadTensors newThreadTensors()
    {
        final ThreadTensors tensors = new ThreadTensors();
        allTensors.add(tensors);
        return tensors;
    }

    private static ByteBuffer direct(final int bytes)
    {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private static int bytesOf(final OnnxJavaType type)
    {
        return switch (type)
        {
            case DOUBLE, INT64 -> 8;
            case BOOL, INT8, UINT8 -> 1;
            default -> 4;
        };
    }

    /** One graph input as the scorer fills it: its features' positions in the row, in column order. */
    private static final class Input
    {
        final String name;
        final InputSpec.ElementType type;
        final OnnxJavaType javaType;
        final boolean strings;
        final int rank;
        final int[] features;
        final List<String>[] categories;

        @SuppressWarnings("unchecked")
        Input(final InputSpec spec, final int rank)
        {
            this.name = spec.name();
            this.type = spec.type();
            this.javaType = OnnxSignature.javaType(spec.type());
            this.strings = spec.type() == InputSpec.ElementType.STRING;
            this.rank = rank;
            this.features = spec.features().stream().mapToInt(FeatureSpec::index).toArray();
            this.categories = spec.features().stream().map(FeatureSpec::categories).toArray(List[]::new);
        }

        long[] shape(final int rows)
        {
            return rank == 1 ? new long[]{rows} : new long[]{rows, features.length};
        }
    }

    /** The tensors one thread uses for one batch size, and the maps {@code run} takes, built once. */
    private record Batch(Map<String, OnnxTensor> inputs, String[][] names, long[][] shapes, OnnxTensor[] tensors,
        Map<String, OnnxValue> pinnedOutputs)
    {
    }

    /** One thread's direct buffers and the tensors over them, by batch size. */
    private final class ThreadTensors
    {
        final ByteBuffer[] inputs = new ByteBuffer[OnnxScorer.this.inputs.length];
        final ByteBuffer[] outputs = new ByteBuffer[fetched.length];
        final Batch[] batchBySize = new Batch[maxRows + 1];

        ThreadTensors()
        {
            for (int i = 0; i < inputs.length; i++)
            {
                final Input in = OnnxScorer.this.inputs[i];
                inputs[i] = in.strings ? null : direct(maxRows * in.features.length * bytesOf(in.javaType));
            }
            for (int f = 0; f < outputs.length; f++)
            {
                outputs[f] = unpinned.contains(fetched[f]) ? null :
                    direct(maxRows * widthOfFetched[f] * bytesOf(typeOfFetched[f]));
            }
        }

        Batch batch(final int rows) throws OrtException
        {
            Batch batch = batchBySize[rows];
            if (null == batch)
            {
                batch = newBatch(rows);
                batchBySize[rows] = batch;
            }
            return batch;
        }

        private Batch newBatch(final int rows) throws OrtException
        {
            final Map<String, OnnxTensor> inputTensors = new HashMap<>();
            final String[][] names = new String[inputs.length][];
            final long[][] shapes = new long[inputs.length][];
            final List<OnnxTensor> owned = new ArrayList<>();
            for (int i = 0; i < inputs.length; i++)
            {
                final Input in = OnnxScorer.this.inputs[i];
                shapes[i] = in.shape(rows);
                if (in.strings)
                {
                    names[i] = new String[rows * in.features.length];
                    inputTensors.put(in.name, null);
                    continue;
                }
                final OnnxTensor tensor = OnnxTensor.createTensor(env,
                    inputs[i].duplicate().position(0).limit(rows * in.features.length * bytesOf(in.javaType)),
                    shapes[i], in.javaType);
                inputTensors.put(in.name, tensor);
                owned.add(tensor);
            }
            final Map<String, OnnxValue> pinned = new HashMap<>();
            for (int f = 0; f < fetched.length; f++)
            {
                if (null == outputs[f])
                {
                    continue;
                }
                final long[] shape = rankOfFetched[f] == 1 ? new long[]{rows} : new long[]{rows, widthOfFetched[f]};
                final OnnxTensor tensor = OnnxTensor.createTensor(env,
                    outputs[f].duplicate().position(0).limit(rows * widthOfFetched[f] * bytesOf(typeOfFetched[f])),
                    shape, typeOfFetched[f]);
                pinned.put(fetched[f], tensor);
                owned.add(tensor);
            }
            return new Batch(inputTensors, names, shapes, owned.toArray(new OnnxTensor[0]), pinned);
        }

        void close()
        {
            for (final Batch batch : batchBySize)
            {
                if (null != batch)
                {
                    for (final OnnxTensor tensor : batch.tensors)
                    {
                        tensor.close();
                    }
                }
            }
        }
    }
}
