package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Finds the input channels of the MatMuls about to be quantized whose activations run far above the others,
 * by running the float32 model once on a fixed batch of random vocabulary tokens: no calibration data, and the
 * int8 scales stay dynamic (per call). Only which channels are scaled down (or multiplied in float32) is decided
 * here.
 *
 * <p>Why: activations are quantized with one scale per call, so a channel ten times larger than the rest sets
 * the scale and leaves the others a few levels. BERT-family encoders carry such channels in their residual
 * stream (all-MiniLM-L6-v2: channel 99 after every attention LayerNorm reaches 28 where the median channel
 * peaks at 1.7; the FFN's GELU outputs have one or two such neurons per layer). They come from the residual
 * stream, not from the LayerNorm's weights, so the weights alone do not show them; but they show on any input,
 * and random tokens find the same channels as real KLUE sentences. Measured on MiniLM, 1,038 KLUE STS dev
 * sentences, activations alone (int8 weights dequantized to float32 lose nothing: Spearman rho 0.9995) cost
 * rho 0.987; the MatMuls fed by a LayerNorm output decide most of it (keeping the FFN intermediate float32:
 * 0.995, Q/K/V: 0.991). The ratio (channels split to float32), all 7,038 KLUE sentences: 6 gives rho 0.9936,
 * 4 gives 0.9953 (the default); on the 1,038 STS sentences 3 gives no more than 4.
 */
final class ActivationOutlierProbe {
  static final int ROWS = 8;
  static final int TOKENS = 64;
  /** At most this many channels of one activation are treated as outliers (the largest first). */
  static final int MAX_CHANNELS = 8;
  private static final long SEED = 42;
  /**
   * ONNX Runtime reads a model from one byte array up to this size; a larger one (over 2 GB: XLM-RoBERTa-large and
   * up) is written to a scratch directory with its weights in external data and loaded from there.
   */
  static final long MAX_IN_MEMORY_BYTES = Integer.MAX_VALUE - 64L * 1024 * 1024;

  private ActivationOutlierProbe() {}

  /** An activation's outlier channels (ascending) and each one's peak over the median channel's peak. */
  record Outliers(int[] channels, float[] excess) {}

  /**
   * For each of {@code activations} (float tensors whose last axis is the channel), the channels whose largest
   * magnitude on the probe exceeds {@code ratio} times the median channel's; absent when none. Returns an empty
   * map, with a line in {@code report}, when the model cannot be probed (a non-integer input, no embedding table
   * to draw tokens from, weights in external data not read in, or a failed run).
   */
  static Map<String, Outliers> find(ModelProto model, Collection<String> activations, double ratio,
      List<String> report) {
    return find(model, activations, ratio, report, MAX_IN_MEMORY_BYTES);
  }

  /** As {@link #find(ModelProto, Collection, double, List)}; models over {@code maxInMemoryBytes} go through a file. */
  static Map<String, Outliers> find(ModelProto model, Collection<String> activations, double ratio,
      List<String> report, long maxInMemoryBytes) {
    if (activations.isEmpty()) {
      return Map.of();
    }
    GraphProto graph = model.getGraph();
    if (graph.getInitializerList().stream().anyMatch(OnnxTensors::isExternal)) {
      return skipped("weights are in external data", report);
    }
    Set<String> outputs = new LinkedHashSet<>(activations);
    GraphProto.Builder probeGraph = graph.toBuilder();
    Set<String> existing = new java.util.HashSet<>();
    graph.getOutputList().forEach(output -> existing.add(output.getName()));
    for (String name : outputs) {
      if (!existing.contains(name)) {
        probeGraph.addOutput(ValueInfoProto.newBuilder().setName(name));
      }
    }
    ModelProto probeModel = model.toBuilder().setGraph(probeGraph).build();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(Math.min(2, Runtime.getRuntime().availableProcessors()));
      try (ProbeSession probe = ProbeSession.open(env, probeModel, options, maxInMemoryBytes)) {
        OrtSession session = probe.session();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
          String refusal = probeInputs(env, session, graph, inputs);
          if (refusal != null) {
            return skipped(refusal, report);
          }
          try (OrtSession.Result result = runProbe(session, inputs, outputs, report)) {
            if (result == null) {
              return Map.of();
            }
            Map<String, Outliers> channels = new HashMap<>();
            for (String name : outputs) {
              Outliers found = outlierChannels((OnnxTensor) result.get(name).orElseThrow(), ratio);
              if (found.channels().length > 0) {
                channels.put(name, found);
              }
            }
            return channels;
          }
        } finally {
          inputs.values().forEach(OnnxTensor::close);
        }
      }
    } catch (OrtException e) {
      throw new QuantizationException("ONNX Runtime cannot load the float32 model for the activation probe: "
          + e.getMessage() + ". Check that it loads with kluespark info.", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the float32 model to a scratch directory for the activation "
          + "probe: " + e.getMessage() + ". It needs free space for the model's weights in java.io.tmpdir.", e);
    }
  }

  /**
   * The probe run, or null (with a report line) when the model refuses the probe's inputs: its shapes are a
   * guess for graphs we did not write, and quantizing without the probe is still correct, only less accurate.
   */
  private static OrtSession.Result runProbe(OrtSession session, Map<String, OnnxTensor> inputs, Set<String> outputs,
      List<String> report) {
    try {
      return session.run(inputs, outputs);
    } catch (OrtException e) {
      skipped("the float32 model refused " + ROWS + " rows of random tokens (" + e.getMessage() + ")", report);
      return null;
    }
  }

  /** Reports why the probe did not run; the quantizer goes on without it. */
  private static Map<String, Outliers> skipped(String why, List<String> report) {
    report.add("activation probe skipped: " + why + "; outlier channels are not looked for");
    return Map.of();
  }

  /** Channels whose peak magnitude exceeds {@code ratio} × the median channel's peak, at most MAX_CHANNELS. */
  static Outliers outlierChannels(OnnxTensor tensor, double ratio) {
    long[] shape = tensor.getInfo().getShape();
    int width = (int) shape[shape.length - 1];
    FloatBuffer values = tensor.getFloatBuffer();
    float[] peak = new float[width];
    for (int i = 0; i < values.limit(); i++) {
      peak[i % width] = Math.max(peak[i % width], Math.abs(values.get(i)));
    }
    float[] sorted = peak.clone();
    Arrays.sort(sorted);
    float median = sorted[width / 2];
    if (median == 0f) {
      // most channels never fire on the probe (a ReLU layer): "far above the median" is undefined, and a scale
      // of peak / 0 would make the weights infinite
      return new Outliers(new int[0], new float[0]);
    }
    double limit = ratio * median;
    Integer[] order = new Integer[width];
    for (int c = 0; c < width; c++) {
      order[c] = c;
    }
    Arrays.sort(order, (x, y) -> Float.compare(peak[y], peak[x]));
    List<Integer> found = new ArrayList<>();
    for (int k = 0; k < Math.min(MAX_CHANNELS, width) && peak[order[k]] > limit; k++) {
      found.add(order[k]);
    }
    int[] channels = found.stream().mapToInt(Integer::intValue).sorted().toArray();
    float[] excess = new float[channels.length];
    for (int i = 0; i < channels.length; i++) {
      excess[i] = peak[channels[i]] / median;
    }
    return new Outliers(channels, excess);
  }

  /**
   * Fills {@code inputs}: random token ids for the input that indexes the largest embedding table, ones for
   * masks, zeros for anything else integer (token types, positions). Returns why not, or null.
   */
  private static String probeInputs(OrtEnvironment env, OrtSession session, GraphProto graph,
      Map<String, OnnxTensor> inputs) throws OrtException {
    Map<String, TensorProto> initializers = new HashMap<>();
    graph.getInitializerList().forEach(tensor -> initializers.put(tensor.getName(), tensor));
    Map<String, Long> tableRows = embeddingTableRows(graph, initializers);
    String tokens = tableRows.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    if (tokens == null) {
      return "no graph input indexes an embedding table";
    }
    // the position table bounds the sequence: the smallest table over 2 rows (token types have 1 or 2), less
    // RoBERTa's pad offset of 2
    long positions = smallestTableRows(graph, initializers);
    int length = (int) Math.min(TOKENS, positions - 2);
    if (length < 2) {
      return "its embedding tables are too small for a probe sequence";
    }
    Random random = new Random(SEED);
    for (Map.Entry<String, NodeInfo> entry : session.getInputInfo().entrySet()) {
      String name = entry.getKey();
      if (!(entry.getValue().getInfo() instanceof TensorInfo info)
          || (info.type != OnnxJavaType.INT64 && info.type != OnnxJavaType.INT32)) {
        return "input " + name + " is not an integer tensor";
      }
      long[] shape = info.getShape().clone();
      for (int d = 0; d < shape.length; d++) {
        if (shape[d] < 0) {
          shape[d] = d == 0 ? ROWS : length;
        }
      }
      int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      long[] values = new long[count];
      if (name.equals(tokens)) {
        long rows = tableRows.get(name);
        for (int i = 0; i < count; i++) {
          values[i] = random.nextInt((int) Math.min(rows, Integer.MAX_VALUE));
        }
      } else if (name.toLowerCase(java.util.Locale.ROOT).contains("mask")) {
        Arrays.fill(values, 1L);
      }
      inputs.put(name, info.type == OnnxJavaType.INT64 ? OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape)
          : OnnxTensor.createTensor(env, IntBuffer.wrap(Arrays.stream(values).mapToInt(v -> (int) v).toArray()), shape));
    }
    return null;
  }

  /** Rows of the smallest 2-D embedding table over 2 rows (the position table in an encoder), or MAX_VALUE. */
  private static long smallestTableRows(GraphProto graph, Map<String, TensorProto> initializers) {
    long smallest = Long.MAX_VALUE;
    for (String[] lookup : tableLookups(graph)) {
      TensorProto table = initializers.get(lookup[1]);
      if (table != null && table.getDimsCount() == 2 && table.getDims(0) > 2) {
        smallest = Math.min(smallest, table.getDims(0));
      }
    }
    return smallest;
  }

  /**
   * Graph inputs read as the indices of a constant table (directly, or through the Cast to int32 that ONNX
   * Runtime's EmbedLayerNormalization fusion puts in front of its word ids): input → table rows.
   */
  private static Map<String, Long> embeddingTableRows(GraphProto graph, Map<String, TensorProto> initializers) {
    Set<String> graphInputs = new java.util.HashSet<>();
    graph.getInputList().forEach(input -> graphInputs.add(input.getName()));
    Map<String, String> castFrom = new HashMap<>();
    for (NodeProto node : graph.getNodeList()) {
      if (node.getOpType().equals("Cast") && graphInputs.contains(node.getInput(0))) {
        castFrom.put(node.getOutput(0), node.getInput(0));
      }
    }
    Map<String, Long> rows = new HashMap<>();
    for (String[] lookup : tableLookups(graph)) {
      String index = graphInputs.contains(lookup[0]) ? lookup[0] : castFrom.get(lookup[0]);
      TensorProto table = initializers.get(lookup[1]);
      if (index != null && table != null && table.getDimsCount() == 2) {
        rows.merge(index, table.getDims(0), Math::max);
      }
    }
    return rows;
  }

  /**
   * {index tensor, table} of every table lookup: a Gather, or a fused EmbedLayerNormalization (word ids index
   * its word table; its position table is listed with no index, it counts positions itself).
   */
  private static List<String[]> tableLookups(GraphProto graph) {
    List<String[]> lookups = new ArrayList<>();
    for (NodeProto node : graph.getNodeList()) {
      if (node.getOpType().equals("Gather") && node.getInputCount() == 2) {
        lookups.add(new String[] {node.getInput(1), node.getInput(0)});
      } else if (node.getOpType().equals("EmbedLayerNormalization") && node.getInputCount() > 3) {
        lookups.add(new String[] {node.getInput(0), node.getInput(2)});
        lookups.add(new String[] {"", node.getInput(3)});
      }
    }
    return lookups;
  }
}
