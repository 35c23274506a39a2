package org.kluespark.testing.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.checkpoint.HalfFloats;
import org.kluespark.precision.ResidualPrecision;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderWeights;

/**
 * A float64 forward pass of HF's {@code BertModel} / {@code RobertaModel} / {@code ElectraModel} in eval mode
 * (ELECTRA: embeddings {@code embedding_size} wide, then {@code embeddings_project} when that differs from
 * {@code hidden_size}; hidden state 0 is the projected embeddings, as HF's encoder receives them), written from
 * the transformers source in plain loops, independent of ONNX. Tests compare converted ONNX graphs
 * against it.
 *
 * <p>Masking follows HF's eager attention: {@code (1 - mask) · torch.finfo(float32).min} is added to
 * the scaled scores, and the softmax subtracts the row maximum, so masked keys get weight exactly 0 (a
 * row whose keys are all masked gets uniform weights, as in HF).
 *
 * <p>{@link #forwardSimulatedHalf} is a second mode for half-precision graphs
 * ({@code org.kluespark.precision.Float16Converter}): weights and every op's result are rounded to float16
 * (round to nearest even, through {@link HalfFloats}), except inside the ops that graph keeps float32
 * (LayerNorm and the attention-mask add + Softmax, computed here in float64 as before). A MatMul is rounded
 * once, after a float64 accumulation (as GPU half GEMMs accumulate wider and round the result). The default
 * mode does not round anything. This models the converter's unfused half graph, node by node; the fused graph
 * it now writes rounds less inside Attention and GELU (one rounding per fused op) and more at LayerNorm (half
 * gamma and beta, half outputs), so the mode bounds half arithmetic rather than reproducing that graph.
 * With a float32 residual stream ({@link ResidualPrecision#FLOAT32}, the converter's default) the residual sums
 * and the layer norms' outputs are not rounded; only the copies the next MatMuls read are.
 */
public final class ReferenceEncoder {
  /** {@code torch.finfo(torch.float32).min}, the additive mask HF puts on masked keys. */
  public static final double MASK_VALUE = -3.4028234663852886e38;

  private final EncoderWeights weights;
  private final EncoderConfig config;
  /** Round weights and op results to float16 outside the float32 islands. */
  private final boolean half;
  /** In half mode: residual sums and layer norm outputs stay unrounded (the graph keeps them float32). */
  private final boolean float32Residual;

  private ReferenceEncoder(EncoderWeights weights, boolean half, boolean float32Residual) {
    this.weights = weights;
    this.config = weights.config();
    this.half = half;
    this.float32Residual = float32Residual;
  }

  /**
   * Runs the encoder on one batch whose rows are already padded to one length.
   *
   * @param tokenTypeIds null for zeros; RoBERTa accepts only null or zeros
   */
  public static ReferenceOutput forward(EncoderWeights weights, long[][] inputIds, long[][] attentionMask,
      long[][] tokenTypeIds) {
    return new ReferenceEncoder(weights, false, false).run(inputIds, attentionMask, tokenTypeIds);
  }

  /**
   * As {@link #forward}, simulating a graph that computes in half: weights rounded to float16 (LayerNorm's
   * stay float32), every op's result rounded to float16 except LayerNorm, the mask add and Softmax. Hidden
   * states are the LayerNorm outputs before rounding (the fp16 graph returns them from its float32 island);
   * the next layer reads them rounded, as its residual too ({@link ResidualPrecision#FLOAT16}).
   */
  public static ReferenceOutput forwardSimulatedHalf(EncoderWeights weights, long[][] inputIds,
      long[][] attentionMask, long[][] tokenTypeIds) {
    return forwardSimulatedHalf(weights, inputIds, attentionMask, tokenTypeIds, ResidualPrecision.FLOAT16);
  }

  /** As {@link #forwardSimulatedHalf(EncoderWeights, long[][], long[][], long[][])}, residual in {@code residual}. */
  public static ReferenceOutput forwardSimulatedHalf(EncoderWeights weights, long[][] inputIds,
      long[][] attentionMask, long[][] tokenTypeIds, ResidualPrecision residual) {
    return new ReferenceEncoder(halfWeights(weights), true, residual == ResidualPrecision.FLOAT32)
        .run(inputIds, attentionMask, tokenTypeIds);
  }

  /** A residual-stream value as the graph keeps it: rounded in half mode unless the stream is float32. */
  private double[] r(double[] values) {
    return float32Residual ? values : h(values);
  }

  /** {@code weights} rounded to float16, except LayerNorm's (float32 in the half graph). */
  static EncoderWeights halfWeights(EncoderWeights weights) {
    Map<String, WeightTensor> rounded = new LinkedHashMap<>();
    for (String name : EncoderWeights.expectedShapes(weights.config(), weights.hasPooler()).keySet()) {
      WeightTensor tensor = weights.get(name);
      float[] values = tensor.values();
      if (!name.contains("LayerNorm")) {
        values = values.clone();
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) toHalf(values[i]);
        }
      }
      rounded.put(name, new WeightTensor(name, tensor.shape(), values));
    }
    return EncoderWeights.of(weights.config(), rounded, "half-rounded weights");
  }

  /** The float16 nearest to {@code value} (through float32: a double-rounding below half's resolution). */
  static double toHalf(double value) {
    return HalfFloats.halfToFloat(HalfFloats.floatToHalf((float) value));
  }

  /** An op's result as the graph stores it: rounded to half in half mode. */
  private double h(double value) {
    return half ? toHalf(value) : value;
  }

  private double[] h(double[] values) {
    if (half) {
      for (int i = 0; i < values.length; i++) {
        values[i] = toHalf(values[i]);
      }
    }
    return values;
  }

  /**
   * Position ids as HF numbers them: 0..n-1 for BERT; for RoBERTa
   * {@code create_position_ids_from_input_ids}: {@code cumsum(id != pad) · (id != pad) + pad}, so
   * padding tokens get {@code pad_token_id} and real ones count from {@code pad_token_id + 1}.
   */
  public static long[][] positionIds(EncoderConfig config, long[][] inputIds) {
    long[][] positions = new long[inputIds.length][];
    for (int row = 0; row < inputIds.length; row++) {
      positions[row] = new long[inputIds[row].length];
      long realSoFar = 0;
      for (int t = 0; t < inputIds[row].length; t++) {
        if (config.positionOffset() == 0) { // BERT, ELECTRA
          positions[row][t] = t;
        } else {
          long real = inputIds[row][t] != config.padTokenId() ? 1 : 0;
          realSoFar += real;
          positions[row][t] = realSoFar * real + config.padTokenId();
        }
      }
    }
    return positions;
  }

  private ReferenceOutput run(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    checkBatch(inputIds, attentionMask, tokenTypeIds);
    int batch = inputIds.length;
    long[][] positions = positionIds(config, inputIds);
    List<double[][][]> hiddenStates = new ArrayList<>();
    double[][][] hidden = new double[batch][][];
    for (int row = 0; row < batch; row++) {
      long[] types = tokenTypeIds == null ? new long[inputIds[row].length] : tokenTypeIds[row];
      hidden[row] = embed(inputIds[row], positions[row], types);
    }
    hiddenStates.add(copy(hidden));
    for (int layer = 0; layer < config.numLayers(); layer++) {
      for (int row = 0; row < batch; row++) {
        hidden[row] = layer(layer, hidden[row], attentionMask[row]);
      }
      hiddenStates.add(copy(hidden));
    }
    double[][] pooler = weights.hasPooler() ? pool(hidden) : null;
    return new ReferenceOutput(hidden, pooler, hiddenStates);
  }

  /** word + position + token type embeddings, then LayerNorm, then ELECTRA's projection when there is one. */
  private double[][] embed(long[] ids, long[] positions, long[] types) {
    WeightTensor words = weights.get("embeddings.word_embeddings.weight");
    WeightTensor positionTable = weights.get("embeddings.position_embeddings.weight");
    WeightTensor typeTable = weights.get("embeddings.token_type_embeddings.weight");
    double[][] out = new double[ids.length][];
    for (int t = 0; t < ids.length; t++) {
      double[] sum = r(ReferenceMath.add(r(ReferenceMath.add(row(words, ids[t]), row(positionTable, positions[t]))),
          row(typeTable, types[t])));
      out[t] = ReferenceMath.layerNorm(sum, weights.get("embeddings.LayerNorm.weight"),
          weights.get("embeddings.LayerNorm.bias"), config.layerNormEps());
      if (config.hasEmbeddingProjection()) {
        // In half mode the float32 LayerNorm output is cast to half before the projection's MatMul.
        out[t] = linear(half ? h(out[t]) : out[t], weights.get(EncoderWeights.EMBEDDINGS_PROJECT + ".weight"),
            weights.get(EncoderWeights.EMBEDDINGS_PROJECT + ".bias"));
      }
    }
    return out;
  }

  /** One BertLayer: self-attention block, then the feed-forward block, each with residual + LayerNorm. */
  private double[][] layer(int layer, double[][] input, long[] mask) {
    double[][] x = half ? copyRounded(input) : input; // the float32 LayerNorm output, cast to half
    double[][] residual = float32Residual ? input : x;
    double[][] context = selfAttention(layer, x, mask);
    int seq = x.length;
    double[][] out = new double[seq][];
    for (int t = 0; t < seq; t++) {
      double[] attention = r(ReferenceMath.layerNorm(
          r(ReferenceMath.add(dense(layer, "attention.output.dense", context[t]), residual[t])),
          weights.layer(layer, "attention.output.LayerNorm.weight"),
          weights.layer(layer, "attention.output.LayerNorm.bias"), config.layerNormEps()));
      double[] intermediate = dense(layer, "intermediate.dense", h(attention.clone()));
      for (int i = 0; i < intermediate.length; i++) {
        intermediate[i] = gelu(intermediate[i]);
      }
      out[t] = ReferenceMath.layerNorm(
          r(ReferenceMath.add(dense(layer, "output.dense", intermediate), attention)),
          weights.layer(layer, "output.LayerNorm.weight"), weights.layer(layer, "output.LayerNorm.bias"),
          config.layerNormEps());
    }
    return out;
  }

  /** Multi-head scaled dot-product attention; returns the heads' contexts concatenated, [seq][hidden]. */
  private double[][] selfAttention(int layer, double[][] x, long[] mask) {
    int seq = x.length;
    double[][] q = new double[seq][];
    double[][] k = new double[seq][];
    double[][] v = new double[seq][];
    for (int t = 0; t < seq; t++) {
      q[t] = dense(layer, "attention.self.query", x[t]);
      k[t] = dense(layer, "attention.self.key", x[t]);
      v[t] = dense(layer, "attention.self.value", x[t]);
    }
    int headSize = config.headSize();
    double scale = Math.sqrt(headSize);
    double[][] context = new double[seq][config.hiddenSize()];
    for (int head = 0; head < config.numHeads(); head++) {
      int offset = head * headSize;
      for (int i = 0; i < seq; i++) {
        double[] scores = new double[seq];
        for (int j = 0; j < seq; j++) {
          double dot = 0;
          for (int d = 0; d < headSize; d++) {
            dot += q[i][offset + d] * k[j][offset + d];
          }
          // The mask add and Softmax are float32 in the half graph: only the scaled scores are rounded.
          scores[j] = h(h(dot) / h(scale)) + (1.0 - mask[j]) * MASK_VALUE;
        }
        double[] probs = h(ReferenceMath.softmax(scores));
        for (int j = 0; j < seq; j++) {
          for (int d = 0; d < headSize; d++) {
            context[i][offset + d] += probs[j] * v[j][offset + d];
          }
        }
      }
    }
    if (half) {
      for (double[] row : context) {
        h(row); // each head's probs · V is one MatMul result
      }
    }
    return context;
  }

  private double[][] pool(double[][][] hidden) {
    double[][] pooled = new double[hidden.length][];
    for (int row = 0; row < hidden.length; row++) {
      double[] cls = half ? h(hidden[row][0].clone()) : hidden[row][0];
      double[] dense = linear(cls, weights.get("pooler.dense.weight"), weights.get("pooler.dense.bias"));
      for (int i = 0; i < dense.length; i++) {
        dense[i] = h(Math.tanh(dense[i]));
      }
      pooled[row] = dense;
    }
    return pooled;
  }

  private double[] dense(int layer, String module, double[] x) {
    return linear(x, weights.layer(layer, module + ".weight"), weights.layer(layer, module + ".bias"));
  }

  /** Float64 as before; in half mode a MatMul then a bias Add, each rounded (the graph's two nodes). */
  private double[] linear(double[] x, WeightTensor weight, WeightTensor bias) {
    if (!half) {
      return ReferenceMath.linear(x, weight, bias);
    }
    double[] product = ReferenceMath.linear(x, weight, new WeightTensor("zero", bias.shape(), new float[bias.values().length]));
    float[] b = bias.values();
    for (int o = 0; o < product.length; o++) {
      product[o] = toHalf(toHalf(product[o]) + b[o]);
    }
    return product;
  }

  /** Exact GELU; in half mode node by node as the graph writes it, x·0.5·(1 + erf(x / √2)), √2 rounded to half. */
  private double gelu(double x) {
    if (!half) {
      return ReferenceMath.gelu(x);
    }
    double erf = h(Erf.erf(h(x / h(Math.sqrt(2.0)))));
    return h(h(x * 0.5) * h(1.0 + erf));
  }

  private static double[][] copyRounded(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int t = 0; t < rows.length; t++) {
      out[t] = rows[t].clone();
      for (int i = 0; i < out[t].length; i++) {
        out[t][i] = toHalf(out[t][i]);
      }
    }
    return out;
  }

  private static double[] row(WeightTensor table, long index) {
    int width = (int) table.dim(1);
    if (index < 0 || index >= table.dim(0)) {
      throw new IllegalArgumentException(
          "Index " + index + " is outside " + table.name() + " (" + table.dim(0) + " rows)");
    }
    double[] row = new double[width];
    float[] values = table.values();
    int start = Math.toIntExact(index * width);
    for (int i = 0; i < width; i++) {
      row[i] = values[start + i];
    }
    return row;
  }

  private void checkBatch(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    if (inputIds.length == 0 || attentionMask.length != inputIds.length
        || (tokenTypeIds != null && tokenTypeIds.length != inputIds.length)) {
      throw new IllegalArgumentException("inputIds, attentionMask and tokenTypeIds need the same non-zero "
          + "number of rows");
    }
    int seq = inputIds[0].length;
    for (int row = 0; row < inputIds.length; row++) {
      if (inputIds[row].length != seq || attentionMask[row].length != seq
          || (tokenTypeIds != null && tokenTypeIds[row].length != seq)) {
        throw new IllegalArgumentException("Row " + row + " is not padded to length " + seq
            + "; pad every row of inputIds, attentionMask and tokenTypeIds to one length");
      }
      if (config.family().robertaPositions() && tokenTypeIds != null
          && Arrays.stream(tokenTypeIds[row]).anyMatch(type -> type != 0)) {
        throw new IllegalArgumentException("RoBERTa has a single token type; pass null or zeros as tokenTypeIds");
      }
    }
  }

  private static double[][][] copy(double[][][] hidden) {
    double[][][] copy = new double[hidden.length][][];
    for (int row = 0; row < hidden.length; row++) {
      copy[row] = new double[hidden[row].length][];
      for (int t = 0; t < hidden[row].length; t++) {
        copy[row][t] = hidden[row][t].clone();
      }
    }
    return copy;
  }
}
