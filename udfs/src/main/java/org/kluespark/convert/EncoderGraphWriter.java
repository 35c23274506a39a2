package org.kluespark.convert;

import static org.kluespark.convert.OnnxGraphBuilder.Attribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.model.ModelSignature;

/**
 * Writes a BERT, RoBERTa or ELECTRA encoder as an ONNX graph with HF transformers' eval-mode semantics.
 *
 * <p>Inputs {@code input_ids}, {@code attention_mask} and, for BERT, {@code token_type_ids} (int64,
 * {@code [batch, sequence]}, both axes dynamic). Outputs {@code last_hidden_state}, {@code pooler_output}
 * when the checkpoint has a pooler, and {@code hidden_states.0..L} (embeddings, then each layer) unless
 * disabled. Masked keys get {@code float32.min} added to their scores as HF does, so padding never
 * changes a real token's output.
 *
 * <p>The graph is made of standard ONNX ops (opset 12; projections are {@code MatMul(x, W) + Add(b)} with
 * constant weights, which the int8 quantizer rewrites) laid out the way ONNX Runtime's BERT fusions expect,
 * so that at load ({@code ALL}/{@code EXTENDED} optimization on CPU and CUDA) each layer becomes one
 * {@code Attention}, two {@code SkipLayerNormalization} and a {@code BiasGelu}, and BERT's embeddings one
 * {@code EmbedLayerNormalization} (RoBERTa's position ids do not fit that op; its embeddings stay a
 * LayerNorm). What each choice below is for is said where it is made; {@code EncoderFusionTest} lists the
 * fused ops.
 *
 * <p>Half weights are stored as float16 and cast to float32 inside the graph: the file and its broadcast
 * shrink by half while compute stays float32 on every provider (ONNX Runtime's CPU provider has no
 * float16 kernels for most of these ops on x86).
 */
public final class EncoderGraphWriter {
  // The names the stage looks for (ModelSignature), so writer and reader cannot drift apart.
  private static final String INPUT_IDS = ModelSignature.INPUT_IDS;
  private static final String ATTENTION_MASK = ModelSignature.ATTENTION_MASK;
  private static final String TOKEN_TYPE_IDS = ModelSignature.TOKEN_TYPE_IDS;
  private static final String LAST_HIDDEN_STATE = ModelSignature.LAST_HIDDEN_STATE;
  private static final String POOLER_OUTPUT = ModelSignature.POOLER_OUTPUT;
  private static final String HIDDEN_STATES_PREFIX = ModelSignature.HIDDEN_STATES_PREFIX;

  /**
   * The graph layout's version, the model's producer_version: 2 is the layout ONNX Runtime fuses (opset 12),
   * 1 the opset-17 one it did not. Caches of converted bundles key on it.
   */
  public static final String LAYOUT_VERSION = "2";

  private static final String BATCH = "batch";
  private static final String SEQUENCE = "sequence";

  private final EncoderWeights weights;
  private final EncoderConfig config;
  private final ExportOptions options;
  private final OnnxGraphBuilder g;

  private EncoderGraphWriter(EncoderWeights weights, ExportOptions options) {
    this.weights = weights;
    this.config = weights.config();
    this.options = options;
    this.g = new OnnxGraphBuilder(config.family().modelType() + "_encoder");
  }

  /** The graph for {@code weights}; metadata records the family and dimensions for {@code info}. */
  public static ModelProto write(EncoderWeights weights, ExportOptions options, Map<String, String> metadata) {
    return new EncoderGraphWriter(weights, options).build(metadata);
  }

  private ModelProto build(Map<String, String> metadata) {
    String inputIds = g.input(INPUT_IDS, DataType.INT64, BATCH, SEQUENCE);
    String mask = g.input(ATTENTION_MASK, DataType.INT64, BATCH, SEQUENCE);
    String tokenTypes = config.hasTokenTypeInput() ? g.input(TOKEN_TYPE_IDS, DataType.INT64, BATCH, SEQUENCE) : null;

    int layers = config.numLayers();
    String hidden = embeddings(inputIds, tokenTypes, hiddenStateName(0));
    String scoreBias = attentionScoreBias(mask);
    for (int layer = 0; layer < layers; layer++) {
      String name = layer == layers - 1 ? LAST_HIDDEN_STATE : hiddenStateName(layer + 1);
      hidden = encoderLayer(layer, hidden, scoreBias, name);
    }

    g.output(LAST_HIDDEN_STATE, DataType.FLOAT, BATCH, SEQUENCE, config.hiddenSize());
    if (weights.hasPooler()) {
      pooler(hidden);
    }
    if (options.hiddenStates()) {
      // hidden_states.0..L-1 are the LayerNorm outputs themselves; the last one is last_hidden_state, and a
      // value can be only one graph output, so it gets an Identity (nothing after it is fused).
      g.namedNode("Identity", HIDDEN_STATES_PREFIX + layers, List.of(LAST_HIDDEN_STATE));
      for (int i = 0; i <= layers; i++) {
        g.output(HIDDEN_STATES_PREFIX + i, DataType.FLOAT, BATCH, SEQUENCE, config.hiddenSize());
      }
    }
    Map<String, String> props = new LinkedHashMap<>(metadata);
    props.put("kluespark.family", config.family().modelType());
    props.put("kluespark.hidden_size", Integer.toString(config.hiddenSize()));
    if (config.hasEmbeddingProjection()) {
      props.put("kluespark.embedding_size", Integer.toString(config.embeddingSize()));
    }
    props.put("kluespark.num_layers", Integer.toString(config.numLayers()));
    props.put("kluespark.weights", options.halfWeights() ? "float16" : "float32");
    return g.build("kluespark-convert", LAYOUT_VERSION, props);
  }

  /**
   * The exact name of hidden state {@code index} when it is a graph output, else null (a generated name).
   * They are the LayerNorm outputs themselves, not Identity copies: an Identity is a fifth consumer of the
   * LayerNorm that feeds the next attention (Q, K, V, residual), and ONNX Runtime then fuses neither that
   * attention nor, for BERT, the SkipLayerNorms.
   */
  private String hiddenStateName(int index) {
    return options.hiddenStates() ? HIDDEN_STATES_PREFIX + index : null;
  }

  /**
   * word + position + token type embeddings, then LayerNorm; for ELECTRA with embedding_size != hidden_size,
   * then {@code embeddings_project} (MatMul + Add). HF's ElectraModel hands the projected embeddings to the
   * encoder, whose first hidden state is its input: so hidden_states.0 is the projection's output, and the
   * LayerNorm before it keeps a generated name (declared embedding_size wide).
   */
  private String embeddings(String inputIds, String tokenTypes, String outputName) {
    String words = g.node("Gather", "embeddings/words", List.of(weight("embeddings.word_embeddings.weight"), inputIds));
    String positionIds = config.family().robertaPositions() ? robertaPositionIds(inputIds) : bertPositionIds(inputIds);
    // word + position first, then token type: EmbedLayerNormalization's pattern.
    String positions = g.node("Gather", "embeddings/positions",
        List.of(weight("embeddings.position_embeddings.weight"), positionIds));
    String sum = g.node("Add", "embeddings/words_positions", List.of(words, positions));
    String types;
    if (tokenTypes != null) {
      types = g.node("Gather", "embeddings/token_types", List.of(weight("embeddings.token_type_embeddings.weight"), tokenTypes));
    } else {
      // RoBERTa has one token type and no input for it: every token adds row 0 of the table.
      WeightTensor table = weights.get("embeddings.token_type_embeddings.weight");
      float[] row0 = java.util.Arrays.copyOf(table.values(), config.embeddingSize());
      types = constantWeight("embeddings.token_type_embeddings.row0", new long[] {config.embeddingSize()}, row0);
    }
    sum = g.node("Add", "embeddings/sum", List.of(sum, types));
    if (!config.hasEmbeddingProjection()) {
      return layerNorm("embeddings/LayerNorm", sum, "embeddings.LayerNorm", outputName);
    }
    String normalized = layerNorm("embeddings/LayerNorm", sum, "embeddings.LayerNorm", null, config.embeddingSize());
    String product = g.node("MatMul", "embeddings_project/matmul", List.of(normalized,
        transposedWeight(EncoderWeights.EMBEDDINGS_PROJECT + ".weight")));
    List<String> inputs = List.of(product, weight(EncoderWeights.EMBEDDINGS_PROJECT + ".bias"));
    if (outputName != null) {
      return g.namedNode("Add", outputName, inputs);
    }
    String projected = g.node("Add", "embeddings_project/bias", inputs);
    g.declare(projected, DataType.FLOAT, BATCH, SEQUENCE, config.hiddenSize());
    return projected;
  }

  /**
   * BERT: 0..sequence-1 expanded to input_ids' shape, as HF's exported graphs have it
   * (Expand(Unsqueeze(Range(0, Shape(ids)[1], 1)), Shape(ids))): that is the pattern ONNX Runtime fuses into
   * EmbedLayerNormalization, and it keeps the [batch, sequence] shape the later fusions compare.
   */
  private String bertPositionIds(String inputIds) {
    String shape = g.node("Shape", "positions/shape", List.of(inputIds));
    String length = g.node("Gather", "positions/length", List.of(shape, g.longScalar("positions/one", 1)),
        Attribute.of("axis", 0L));
    String range = g.node("Range", "positions/range",
        List.of(g.longScalar("positions/start", 0), length, g.longScalar("positions/step", 1)));
    String row = g.node("Unsqueeze", "positions/row", List.of(range), Attribute.ints("axes", 0));
    return g.node("Expand", "positions/ids", List.of(row, shape));
  }

  /**
   * RoBERTa, as HF's {@code create_position_ids_from_input_ids}: real tokens count up from
   * {@code pad+1}, padding tokens (id == pad) get {@code pad}.
   */
  private String robertaPositionIds(String inputIds) {
    String pad = g.longScalar("positions/pad", config.padTokenId());
    String isPad = g.node("Equal", "positions/is_pad", List.of(inputIds, pad));
    String notPad = g.node("Not", "positions/not_pad", List.of(isPad));
    String realMask = g.node("Cast", "positions/real", List.of(notPad), Attribute.of("to", (long) DataType.INT64.getNumber()));
    String counted = g.node("CumSum", "positions/cumsum", List.of(realMask, g.longScalar("positions/axis", 1)));
    String masked = g.node("Mul", "positions/masked", List.of(counted, realMask));
    return g.node("Add", "positions/ids", List.of(masked, pad));
  }

  /**
   * (1 - mask) * float32.min, shaped [batch, 1, 1, sequence] to add to every head's scores, shared by all
   * layers. Unsqueeze(1), Unsqueeze(2), Cast, Sub, Mul in this order is the mask path ONNX Runtime's
   * attention fusion matches (the fused Attention then takes the int mask itself; the old order, Cast first
   * and one Unsqueeze of both axes last, is not matched).
   */
  private String attentionScoreBias(String mask) {
    String heads = g.node("Unsqueeze", "attention/mask_3d", List.of(mask), Attribute.ints("axes", 1));
    String queries = g.node("Unsqueeze", "attention/mask_4d", List.of(heads), Attribute.ints("axes", 2));
    String maskFloat = g.node("Cast", "attention/mask_float", List.of(queries), Attribute.of("to", (long) DataType.FLOAT.getNumber()));
    String inverted = g.node("Sub", "attention/inverted", List.of(g.floatScalar("attention/one", 1f), maskFloat));
    return g.node("Mul", "attention/bias", List.of(inverted, g.floatScalar("attention/min", -Float.MAX_VALUE)));
  }

  /**
   * One encoder layer; its output is called {@code outputName} when that is not null. The layout is the one
   * ONNX Runtime's attention fusion walks: Q, K, V as MatMul + Add(bias) + Reshape([0, 0, heads, size]) +
   * Transpose (K to [0, 2, 3, 1]), scores Div by sqrt(size) then Add the mask, Softmax on axis 3 (not -1),
   * context Transpose + Reshape([0, 0, hidden]), output projection, then Add(projection, input) into the LayerNorm.
   */
  private String encoderLayer(int layer, String input, String scoreBias, String outputName) {
    String p = "layer" + layer + "/";
    int heads = config.numHeads();
    int headSize = config.headSize();
    String splitShape = g.longInitializer(p + "split_shape", 0, 0, heads, headSize);
    String query = splitHeads(p + "query", linear(p + "query", input, layerWeight(layer, "attention.self.query")), splitShape, 0, 2, 1, 3);
    String keyT = splitHeads(p + "key", linear(p + "key", input, layerWeight(layer, "attention.self.key")), splitShape, 0, 2, 3, 1);
    String value = splitHeads(p + "value", linear(p + "value", input, layerWeight(layer, "attention.self.value")), splitShape, 0, 2, 1, 3);

    String scores = g.node("MatMul", p + "scores", List.of(query, keyT));
    scores = g.node("Div", p + "scaled", List.of(scores, g.floatScalar(p + "sqrt_head", (float) Math.sqrt(headSize))));
    scores = g.node("Add", p + "masked", List.of(scores, scoreBias));
    String probs = g.node("Softmax", p + "probs", List.of(scores), Attribute.of("axis", 3L));
    String context = g.node("MatMul", p + "context", List.of(probs, value));
    context = g.node("Transpose", p + "context_t", List.of(context), Attribute.ints("perm", 0, 2, 1, 3));
    context = g.node("Reshape", p + "context_merged", List.of(context, g.longInitializer(p + "merge_shape", 0, 0, config.hiddenSize())));

    String attended = linear(p + "attention_output", context, layerWeight(layer, "attention.output.dense"));
    attended = g.node("Add", p + "attention_residual", List.of(attended, input));
    attended = layerNorm(p + "attention_norm", attended, EncoderWeights.layerName(layer, "attention.output.LayerNorm"), null);

    String intermediate = linear(p + "intermediate", attended, layerWeight(layer, "intermediate.dense"));
    intermediate = gelu(p + "gelu", intermediate);
    String output = linear(p + "output", intermediate, layerWeight(layer, "output.dense"));
    output = g.node("Add", p + "output_residual", List.of(output, attended));
    return layerNorm(p + "output_norm", output, EncoderWeights.layerName(layer, "output.LayerNorm"), outputName);
  }

  private String splitHeads(String name, String projected, String splitShape, long... perm) {
    String split = g.node("Reshape", name + "_heads", List.of(projected, splitShape));
    return g.node("Transpose", name + "_t", List.of(split), Attribute.ints("perm", perm));
  }

  /** Exact GELU as HF's "gelu": x * 0.5 * (1 + erf(x / sqrt(2))). */
  private String gelu(String name, String x) {
    String scaled = g.node("Div", name + "/scaled", List.of(x, g.floatScalar(name + "/sqrt2", (float) Math.sqrt(2.0))));
    String erf = g.node("Erf", name + "/erf", List.of(scaled));
    String onePlus = g.node("Add", name + "/one_plus", List.of(erf, g.floatScalar(name + "/one", 1f)));
    String half = g.node("Mul", name + "/half_x", List.of(x, g.floatScalar(name + "/half", 0.5f)));
    return g.node("Mul", name, List.of(half, onePlus));
  }

  private void pooler(String lastHidden) {
    String cls = g.node("Gather", "pooler/cls", List.of(lastHidden, g.longScalar("pooler/index", 0)), Attribute.of("axis", 1L));
    String dense = linear("pooler/dense", cls, "pooler.dense");
    g.namedNode("Tanh", POOLER_OUTPUT, List.of(dense));
    g.output(POOLER_OUTPUT, DataType.FLOAT, BATCH, config.hiddenSize());
  }

  /** x · Wᵀ + b for an HF Linear ({@code weight} is [out, in]; stored transposed as [in, out] for MatMul). */
  private String linear(String name, String x, String weightPrefix) {
    String product = g.node("MatMul", name + "/matmul", List.of(x, transposedWeight(weightPrefix + ".weight")));
    return g.node("Add", name + "/bias", List.of(product, weight(weightPrefix + ".bias")));
  }

  /** An HF Linear's [out, in] weight stored transposed, [in, out], as MatMul's right operand. */
  private String transposedWeight(String canonicalName) {
    WeightTensor w = weights.get(canonicalName);
    return constantWeight(canonicalName + ".T", new long[] {w.dim(1), w.dim(0)},
        transpose(w.values(), (int) w.dim(0), (int) w.dim(1)));
  }

  /**
   * LayerNorm over the last axis, written out as (x - mean) / sqrt(var + eps) * gamma + beta with ReduceMean,
   * Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add (as exporters write it before opset 17): ONNX Runtime fuses
   * this back into one LayerNormalization at load (EXTENDED and ALL; BASIC leaves it as written), and that
   * fused node is the one its attention and SkipLayerNorm fusions match. Its output is called
   * {@code outputName} when that is not null; otherwise its shape is declared, because BERT's position Expand
   * loses the symbolic sequence dim and SkipLayerNormalization is fused only between inputs of the same
   * declared shape (without the declaration BERT keeps its SkipLayerNorms only when EmbedLayerNormalization,
   * which needs a fused Attention, restores the shape).
   */
  private String layerNorm(String name, String x, String weightPrefix, String outputName) {
    return layerNorm(name, x, weightPrefix, outputName, config.hiddenSize());
  }

  /** As above, over {@code width} features (ELECTRA's embedding LayerNorm is embedding_size wide). */
  private String layerNorm(String name, String x, String weightPrefix, String outputName, int width) {
    Attribute lastAxis = Attribute.ints("axes", -1);
    String mean = g.node("ReduceMean", name + "/mean", List.of(x), lastAxis);
    String centered = g.node("Sub", name + "/centered", List.of(x, mean));
    String squared = g.node("Pow", name + "/squared", List.of(centered, g.floatScalar(name + "/two", 2f)));
    String variance = g.node("ReduceMean", name + "/variance", List.of(squared), lastAxis);
    String shifted = g.node("Add", name + "/variance_eps", List.of(variance, g.floatScalar(name + "/eps", (float) config.layerNormEps())));
    String std = g.node("Sqrt", name + "/std", List.of(shifted));
    String normalized = g.node("Div", name + "/normalized", List.of(centered, std));
    String scaled = g.node("Mul", name + "/scaled", List.of(normalized, weight(weightPrefix + ".weight")));
    List<String> inputs = List.of(scaled, weight(weightPrefix + ".bias"));
    if (outputName != null) {
      return g.namedNode("Add", outputName, inputs);
    }
    String output = g.node("Add", name, inputs);
    g.declare(output, DataType.FLOAT, BATCH, SEQUENCE, width);
    return output;
  }

  private String layerWeight(int layer, String suffix) {
    return EncoderWeights.layerName(layer, suffix);
  }

  private String weight(String canonicalName) {
    WeightTensor tensor = weights.get(canonicalName);
    return constantWeight(canonicalName, tensor.shape(), tensor.values());
  }

  /** An initializer in the chosen precision; half weights are cast back to float32 by a node. */
  private String constantWeight(String name, long[] shape, float[] values) {
    if (!options.halfWeights()) {
      return g.floatInitializer(name, shape, values);
    }
    String half = g.halfInitializer(name + ".fp16", shape, values);
    return g.node("Cast", name, List.of(half), Attribute.of("to", (long) DataType.FLOAT.getNumber()));
  }

  static float[] transpose(float[] values, int rows, int cols) {
    float[] out = new float[values.length];
    for (int r = 0; r < rows; r++) {
      int rowStart = r * cols;
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = values[rowStart + c];
      }
    }
    return out;
  }
}
