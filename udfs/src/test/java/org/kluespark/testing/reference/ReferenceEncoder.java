package org.kluespark.testing.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;

/**
 * A float64 forward pass of HF's {@code BertModel} / {@code RobertaModel} in eval mode, written from
 * the transformers source in plain loops, independent of ONNX. Tests compare converted ONNX graphs
 * against it.
 *
 * <p>Masking follows HF's eager attention: {@code (1 - mask) · torch.finfo(float32).min} is added to
 * the scaled scores, and the softmax subtracts the row maximum, so masked keys get weight exactly 0 (a
 * row whose keys are all masked gets uniform weights, as in HF).
 */
public final class ReferenceEncoder {
  /** {@code torch.finfo(torch.float32).min}, the additive mask HF puts on masked keys. */
  public static final double MASK_VALUE = -3.4028234663852886e38;

  private final EncoderWeights weights;
  private final EncoderConfig config;

  private ReferenceEncoder(EncoderWeights weights) {
    this.weights = weights;
    this.config = weights.config();
  }

  /**
   * Runs the encoder on one batch whose rows are already padded to one length.
   *
   * @param tokenTypeIds null for zeros; RoBERTa accepts only null or zeros
   */
  public static ReferenceOutput forward(EncoderWeights weights, long[][] inputIds, long[][] attentionMask,
      long[][] tokenTypeIds) {
    return new ReferenceEncoder(weights).run(inputIds, attentionMask, tokenTypeIds);
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
        if (config.family() == EncoderFamily.BERT) {
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

  /** word + position + token type embeddings, then LayerNorm. */
  private double[][] embed(long[] ids, long[] positions, long[] types) {
    WeightTensor words = weights.get("embeddings.word_embeddings.weight");
    WeightTensor positionTable = weights.get("embeddings.position_embeddings.weight");
    WeightTensor typeTable = weights.get("embeddings.token_type_embeddings.weight");
    double[][] out = new double[ids.length][];
    for (int t = 0; t < ids.length; t++) {
      double[] sum = ReferenceMath.add(ReferenceMath.add(row(words, ids[t]), row(positionTable, positions[t])),
          row(typeTable, types[t]));
      out[t] = ReferenceMath.layerNorm(sum, weights.get("embeddings.LayerNorm.weight"),
          weights.get("embeddings.LayerNorm.bias"), config.layerNormEps());
    }
    return out;
  }

  /** One BertLayer: self-attention block, then the feed-forward block, each with residual + LayerNorm. */
  private double[][] layer(int layer, double[][] x, long[] mask) {
    double[][] context = selfAttention(layer, x, mask);
    int seq = x.length;
    double[][] out = new double[seq][];
    for (int t = 0; t < seq; t++) {
      double[] attention = ReferenceMath.layerNorm(
          ReferenceMath.add(dense(layer, "attention.output.dense", context[t]), x[t]),
          weights.layer(layer, "attention.output.LayerNorm.weight"),
          weights.layer(layer, "attention.output.LayerNorm.bias"), config.layerNormEps());
      double[] intermediate = dense(layer, "intermediate.dense", attention);
      for (int i = 0; i < intermediate.length; i++) {
        intermediate[i] = ReferenceMath.gelu(intermediate[i]);
      }
      out[t] = ReferenceMath.layerNorm(
          ReferenceMath.add(dense(layer, "output.dense", intermediate), attention),
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
          scores[j] = dot / scale + (1.0 - mask[j]) * MASK_VALUE;
        }
        double[] probs = ReferenceMath.softmax(scores);
        for (int j = 0; j < seq; j++) {
          for (int d = 0; d < headSize; d++) {
            context[i][offset + d] += probs[j] * v[j][offset + d];
          }
        }
      }
    }
    return context;
  }

  private double[][] pool(double[][][] hidden) {
    double[][] pooled = new double[hidden.length][];
    for (int row = 0; row < hidden.length; row++) {
      double[] dense = ReferenceMath.linear(hidden[row][0], weights.get("pooler.dense.weight"),
          weights.get("pooler.dense.bias"));
      for (int i = 0; i < dense.length; i++) {
        dense[i] = Math.tanh(dense[i]);
      }
      pooled[row] = dense;
    }
    return pooled;
  }

  private double[] dense(int layer, String module, double[] x) {
    return ReferenceMath.linear(x, weights.layer(layer, module + ".weight"), weights.layer(layer, module + ".bias"));
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
      if (config.family() == EncoderFamily.ROBERTA && tokenTypeIds != null
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
