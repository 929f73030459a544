package io.scoring.gateway;

import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.AttributeProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A model repository for rollout tests: the bundled demo ({@code credit-risk} 1, the logistic
 * regression champion, and 2) plus three candidates built from version 1's real ONNX graph:
 *
 * <ul>
 *   <li>{@value #IDENTICAL}: the same graph;</li>
 *   <li>{@value #INVERTED}: every weight and the bias negated, so it scores 1 - p;</li>
 *   <li>{@value #FAILING}: the same scores, but ONNX Runtime fails every row whose {@code duration}
 *       is 48 months or more (a Gather into a 48-entry table indexed by the duration).</li>
 * </ul>
 */
final class RolloutCandidates
{
    static final String IDENTICAL = "3";
    static final String INVERTED = "4";
    static final String FAILING = "5";
    /** The model's input column of {@code duration}, months. */
    static final int DURATION_COLUMN = 1;
    static final int FAILING_FROM_MONTHS = 48;

    private RolloutCandidates()
    {
    }

    static Path repository() throws IOException
    {
        final Path root = withIdentical();
        final Path model = root.resolve("credit-risk");
        final ModelProto champion = champion(model);
        write(model.resolve(INVERTED), inverted(champion));
        write(model.resolve(FAILING), failingOnLongDurations(champion));
        return root;
    }

    /** The bundled demo plus {@value #IDENTICAL} alone: a third version that passes any check against 1. */
    static Path withIdentical() throws IOException
    {
        final Path root = Files.createTempDirectory("rollout-models");
        final Path source = DemoBundle.models();
        try (Stream<Path> files = Files.walk(source))
        {
            for (final Path file : files.toList())
            {
                final Path target = root.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(file, target);
                }
            }
        }
        final Path model = root.resolve("credit-risk");
        write(model.resolve(IDENTICAL), champion(model));
        return root;
    }

    private static ModelProto champion(final Path model) throws IOException
    {
        try (InputStream in = Files.newInputStream(model.resolve("1/model.onnx")))
        {
            return ModelProto.parseFrom(in);
        }
    }

    private static void write(final Path versionDir, final ModelProto model) throws IOException
    {
        Files.createDirectories(versionDir);
        Files.write(versionDir.resolve("model.onnx"), model.toByteArray());
    }

    private static ModelProto inverted(final ModelProto model)
    {
        final GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++)
        {
            final TensorProto tensor = graph.getInitializer(i);
            final float[] values = floats(tensor);
            final TensorProto.Builder negated = tensor.toBuilder().clearRawData().clearFloatData();
            for (final float value : values)
            {
                negated.addFloatData(-value);
            }
            graph.setInitializer(i, negated);
        }
        return model.toBuilder().setGraph(graph).build();
    }

    private static float[] floats(final TensorProto tensor)
    {
        if (tensor.getFloatDataCount() > 0)
        {
            final float[] values = new float[tensor.getFloatDataCount()];
            for (int i = 0; i < values.length; i++)
            {
                values[i] = tensor.getFloatData(i);
            }
            return values;
        }
        final ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        final float[] values = new float[raw.remaining() / Float.BYTES];
        raw.asFloatBuffer().get(values);
        return values;
    }

    /** margin + table[(int64) duration], the table 48 zeros: the same score, or a runtime error. */
    private static ModelProto failingOnLongDurations(final ModelProto model)
    {
        final GraphProto.Builder graph = model.getGraph().toBuilder();
        final NodeProto sigmoid = graph.getNode(graph.getNodeCount() - 1);
        final String margin = sigmoid.getInput(0);
        graph.addInitializer(TensorProto.newBuilder().setName("duration_column").setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(1).addInt64Data(DURATION_COLUMN));
        final TensorProto.Builder table = TensorProto.newBuilder().setName("by_month").setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addDims(FAILING_FROM_MONTHS);
        for (int i = 0; i < FAILING_FROM_MONTHS; i++)
        {
            table.addFloatData(0f);
        }
        graph.addInitializer(table);
        final String input = graph.getInput(0).getName();
        graph.setNode(graph.getNodeCount() - 1, sigmoid.toBuilder().setInput(0, "guarded_margin"));
        graph.addNode(graph.getNodeCount() - 1, NodeProto.newBuilder().setOpType("Gather").addInput(input)
            .addInput("duration_column").addOutput("duration").addAttribute(ints("axis", 1)));
        graph.addNode(graph.getNodeCount() - 1, NodeProto.newBuilder().setOpType("Cast").addInput("duration")
            .addOutput("month").addAttribute(ints("to", TensorProto.DataType.INT64_VALUE)));
        graph.addNode(graph.getNodeCount() - 1, NodeProto.newBuilder().setOpType("Gather").addInput("by_month")
            .addInput("month").addOutput("guard").addAttribute(ints("axis", 0)));
        graph.addNode(graph.getNodeCount() - 1, NodeProto.newBuilder().setOpType("Add").addInput(margin)
            .addInput("guard").addOutput("guarded_margin"));
        return model.toBuilder().setGraph(graph).build();
    }

    private static AttributeProto ints(final String name, final long value)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }
}
