package io.scoring.router.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores with an ONNX Runtime session set up for latency: one intra-op thread, sequential execution,
 * no spinning (the calling transport thread does the work; spinning threads would steal its core).
 *
 * <p>Per calling thread it keeps an input tensor and pinned output tensors over direct buffers, one set
 * per batch size, created the first time the thread sees that size. A call copies the assembled floats
 * into the direct input buffer, runs the session into the pinned outputs, and reads the scores back:
 * nothing of ours is created per call (ONNX Runtime's Java binding still allocates its small
 * {@code Result} and a few arrays per run).
 *
 * <p>Threading: {@link #score} is safe from any number of threads; {@link #close} must only be called
 * when no thread is scoring.
 */
final class OnnxScorer implements Scorer
{
    /** Every output is pinned, so none is requested beside them. */
    private static final Set<String> NO_UNPINNED_OUTPUTS = Set.of();

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final String[] outputNames;
    private final int featureCount;
    private final int maxRows;
    private final ThreadLocal<ThreadTensors> tensorsOfThread = ThreadLocal.withInitial(this::newThreadTensors);
    private final List<ThreadTensors> allTensors = new CopyOnWriteArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure = "";

    OnnxScorer(
        final OrtEnvironment env,
        final OrtSession session,
        final String inputName,
        final List<String> outputNames,
        final int featureCount,
        final int maxRows)
    {
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.outputNames = outputNames.toArray(new String[0]);
        this.featureCount = featureCount;
        this.maxRows = maxRows;
    }

    /** Options for a session that serves one request at a time per calling thread, with the lowest latency. */
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

    /**
     * Checks the session's signature against what the model config declares: one float input
     * {@code [batch, featureCount]} with the configured name, and every configured output present as
     * a float tensor. Throws with the mismatch named.
     */
    static void validateSignature(
        final OrtSession session, final String inputName, final int featureCount, final List<String> outputNames)
        throws OrtException
    {
        final Map<String, NodeInfo> inputs = session.getInputInfo();
        final NodeInfo input = inputs.get(inputName);
        if (null == input)
        {
            throw new IllegalArgumentException(
                "the graph has no input named '" + inputName + "'; its inputs are " + inputs.keySet());
        }
        if (inputs.size() != 1)
        {
            throw new IllegalArgumentException("the graph must have exactly one input, it has " + inputs.keySet());
        }
        final TensorInfo inputInfo = tensorInfo(input);
        final long[] shape = inputInfo.getShape();
        if (inputInfo.type != OnnxJavaType.FLOAT || shape.length != 2 || shape[1] != featureCount)
        {
            throw new IllegalArgumentException("input '" + inputName + "' must be float [batch, " + featureCount +
                "], the graph has " + inputInfo.type + " " + java.util.Arrays.toString(shape));
        }

        final Map<String, NodeInfo> outputs = session.getOutputInfo();
        for (final String name : outputNames)
        {
            final NodeInfo output = outputs.get(name);
            if (null == output)
            {
                throw new IllegalArgumentException(
                    "the graph has no output named '" + name + "'; its outputs are " + outputs.keySet());
            }
            final TensorInfo outputInfo = tensorInfo(output);
            if (outputInfo.type != OnnxJavaType.FLOAT || outputInfo.getShape().length != 2 ||
                outputInfo.getShape()[1] != 1)
            {
                throw new IllegalArgumentException("output '" + name + "' must be float [batch, 1], the graph has " +
                    outputInfo.type + " " + java.util.Arrays.toString(outputInfo.getShape()));
            }
        }
    }

    private static TensorInfo tensorInfo(final NodeInfo node)
    {
        if (!(node.getInfo() instanceof TensorInfo info))
        {
            throw new IllegalArgumentException("'" + node.getName() + "' is not a tensor: " + node.getInfo());
        }
        return info;
    }

    @Override
    public int score(final float[] input, final int rows, final float[] output)
    {
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

        tensors.input.put(0, input, 0, rows * featureCount);
        try (OrtSession.Result ignored = session.run(batch.inputs, NO_UNPINNED_OUTPUTS, batch.pinnedOutputs))
        {
            final int outputCount = outputNames.length;
            for (int j = 0; j < outputCount; j++)
            {
                final FloatBuffer scores = tensors.outputs[j];
                for (int row = 0; row < rows; row++)
                {
                    output[row * outputCount + j] = scores.get(row);
                }
            }
            return OK;
        }
        catch (final OrtException | RuntimeException ex)
        {
            return failed(ex);
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
    public void close()
    {
        for (final ThreadTensors tensors : allTensors)
        {
            tensors.close();
        }
        allTensors.clear();
        try
        {
            session.close();
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

    private static FloatBuffer directFloats(final int count)
    {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The tensors one thread uses for one batch size, and the maps {@code run} takes, built once. */
    private record Batch(OnnxTensor input, Map<String, OnnxTensor> inputs, OnnxTensor[] outputs,
        Map<String, OnnxValue> pinnedOutputs)
    {
    }

    /** One thread's direct buffers and the tensors over them, by batch size. */
    private final class ThreadTensors
    {
        final FloatBuffer input = directFloats(maxRows * featureCount);
        final FloatBuffer[] outputs = new FloatBuffer[outputNames.length];
        final Batch[] batchBySize = new Batch[maxRows + 1];

        ThreadTensors()
        {
            for (int j = 0; j < outputs.length; j++)
            {
                outputs[j] = directFloats(maxRows);
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
            final OnnxTensor inputTensor = OnnxTensor.createTensor(
                env, input.duplicate().position(0).limit(rows * featureCount), new long[]{rows, featureCount});
            final OnnxTensor[] outputTensors = new OnnxTensor[outputNames.length];
            final Map<String, OnnxValue> pinned = new java.util.HashMap<>();
            for (int j = 0; j < outputNames.length; j++)
            {
                outputTensors[j] = OnnxTensor.createTensor(
                    env, outputs[j].duplicate().position(0).limit(rows), new long[]{rows, 1});
                pinned.put(outputNames[j], outputTensors[j]);
            }
            return new Batch(inputTensor, Map.of(inputName, inputTensor), outputTensors, pinned);
        }

        void close()
        {
            final List<OnnxTensor> all = new ArrayList<>();
            for (final Batch batch : batchBySize)
            {
                if (null != batch)
                {
                    all.add(batch.input);
                    all.addAll(List.of(batch.outputs));
                }
            }
            all.forEach(OnnxTensor::close);
        }
    }
}
