package org.kluespark.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kluespark.inference.EncoderOutput;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.HiddenStateShapeException;
import org.kluespark.inference.OrtSessionFactory;
import org.kluespark.inference.TokenBatch;
import org.kluespark.tokenize.TokenizedText;

/**
 * Validates a bundle on the driver before any task runs and describes it as a {@link ModelSignature}.
 *
 * <p>Checks the graph's inputs and outputs, the hidden size against config.json, the positions against
 * {@code maxSeqLength}, the tokenizer's vocabulary against the embedding table, and finally runs one
 * probe batch of {@code maxSeqLength} tokens carrying the tokenizer's largest id, which catches the
 * same mismatches on bundles without a config.json. Every failure names the file and what to do.
 */
public final class ModelInspector {
  private static final Set<String> KNOWN_INPUTS = Set.of(
      ModelSignature.INPUT_IDS, ModelSignature.ATTENTION_MASK, ModelSignature.TOKEN_TYPE_IDS);
  private static final Pattern HIDDEN_STATE = Pattern.compile(Pattern.quote(ModelSignature.HIDDEN_STATES_PREFIX) + "(\\d+)");

  private static final String RECONVERT = "Re-convert the checkpoint with `kluespark convert`, which writes "
      + "hidden_states.0 (the embeddings) to hidden_states.L (the last layer).";

  private ModelInspector() {}

  public static ModelSignature inspect(ModelBundle bundle, int maxSeqLength) {
    String modelFile = bundle.fileLocation(ModelBundle.MODEL_FILE);
    String tokenizerFile = bundle.fileLocation(ModelBundle.TOKENIZER_FILE);
    String configFile = bundle.fileLocation(ModelBundle.CONFIG_FILE);
    int tokenizerVocab = TokenizerFile.vocabularySize(bundle.tokenizerJson(), tokenizerFile);
    long padId = TokenizerFile.padTokenId(bundle.tokenizerJson());
    HfConfig config = HfConfig.parse(bundle.configJson(), configFile);

    Integer positions = config.usablePositions();
    if (positions != null && maxSeqLength > positions) {
      throw new ModelBundleException("maxSeqLength " + maxSeqLength + " exceeds the " + positions
          + " positions the model has (" + configFile + ": max_position_embeddings=" + config.maxPositionEmbeddings()
          + "). Set maxSeqLength to at most " + positions + ".");
    }
    if (config.vocabSize() != null && tokenizerVocab > config.vocabSize()) {
      throw new ModelBundleException(tokenizerFile + " can emit token ids up to " + (tokenizerVocab - 1)
          + " but the model's embedding table has " + config.vocabSize() + " rows (" + configFile
          + ": vocab_size). The tokenizer does not belong to this model.");
    }

    try (OrtSession session = openSession(bundle, modelFile)) {
      boolean hasTokenTypes = checkInputs(session.getInputInfo(), modelFile);
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      if (!outputs.containsKey(ModelSignature.LAST_HIDDEN_STATE)) {
        throw new ModelBundleException(modelFile + " has no output 'last_hidden_state' (it has "
            + outputs.keySet() + "). Export the encoder with its token outputs named last_hidden_state, "
            + "as HuggingFace/optimum exports do.");
      }
      String pooler = outputs.containsKey(ModelSignature.POOLER_OUTPUT) ? ModelSignature.POOLER_OUTPUT : null;
      ModelSignature draft = new ModelSignature(hasTokenTypes, ModelSignature.LAST_HIDDEN_STATE, pooler,
          hiddenStateOutputs(outputs, modelFile), 0, positions, tokenizerVocab, padId, config.vocabSize());
      int hidden = probeHiddenSize(session, draft, bundle, maxSeqLength, modelFile);
      if (config.hiddenSize() != null && config.hiddenSize() != hidden) {
        throw new ModelBundleException(configFile + " says hidden_size=" + config.hiddenSize() + " but "
            + modelFile + " outputs vectors of " + hidden + ". config.json does not belong to this model.");
      }
      return new ModelSignature(hasTokenTypes, ModelSignature.LAST_HIDDEN_STATE, pooler,
          draft.hiddenStateOutputs(), hidden, positions, tokenizerVocab, padId, config.vocabSize());
    } catch (OrtException e) {
      throw new ModelBundleException("ONNX Runtime failed on " + modelFile + ": " + e.getMessage(), e);
    }
  }

  private static Set<Integer> allLayers(ModelSignature signature) {
    Set<Integer> layers = new TreeSet<>();
    for (int layer = 0; layer < signature.hiddenStateCount(); layer++) {
      layers.add(layer);
    }
    return layers;
  }

  private static OrtSession openSession(ModelBundle bundle, String modelFile) {
    try {
      return OrtSessionFactory.create(bundle, ExecutionTarget.CPU, 1);
    } catch (OrtException e) {
      throw notLoadable(modelFile, e);
    }
  }

  private static boolean checkInputs(Map<String, NodeInfo> inputs, String modelFile) {
    Set<String> unknown = new TreeSet<>(inputs.keySet());
    unknown.removeAll(KNOWN_INPUTS);
    if (!unknown.isEmpty()) {
      throw new ModelBundleException(modelFile + " takes inputs " + unknown + " that kluespark cannot feed; "
          + "an encoder takes input_ids, attention_mask and optionally token_type_ids.");
    }
    for (String required : List.of(ModelSignature.INPUT_IDS, ModelSignature.ATTENTION_MASK)) {
      if (!inputs.containsKey(required)) {
        throw new ModelBundleException(modelFile + " has no input '" + required + "' (it has "
            + inputs.keySet() + "). An encoder takes input_ids, attention_mask and optionally token_type_ids.");
      }
    }
    for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
      if (!(input.getValue().getInfo() instanceof TensorInfo tensor)
          || tensor.type != OnnxJavaType.INT64 || tensor.getShape().length != 2) {
        throw new ModelBundleException(modelFile + ": input '" + input.getKey() + "' must be an int64 tensor "
            + "[batch, sequence] but is " + input.getValue().getInfo() + ". Re-export the model with int64 inputs.");
      }
    }
    return inputs.containsKey(ModelSignature.TOKEN_TYPE_IDS);
  }

  /**
   * The outputs {@code hidden_states.0} … {@code hidden_states.L}, in layer order. They must be contiguous
   * from 0 and float [batch, sequence, hidden]; the probe run checks their actual shapes.
   */
  private static List<String> hiddenStateOutputs(Map<String, NodeInfo> outputs, String modelFile) {
    TreeMap<Integer, String> byLayer = new TreeMap<>();
    for (Map.Entry<String, NodeInfo> output : outputs.entrySet()) {
      Matcher m = HIDDEN_STATE.matcher(output.getKey());
      if (!m.matches()) {
        continue;
      }
      if (!(output.getValue().getInfo() instanceof TensorInfo tensor)
          || tensor.type != OnnxJavaType.FLOAT || tensor.getShape().length != 3) {
        throw new ModelBundleException(modelFile + ": output '" + output.getKey() + "' must be a float tensor "
            + "[batch, sequence, hidden] like last_hidden_state but is " + output.getValue().getInfo() + ". "
            + RECONVERT);
      }
      String previous = byLayer.put(Integer.parseInt(m.group(1)), output.getKey());
      if (previous != null) {
        throw new ModelBundleException(modelFile + " has two outputs for the same layer: '" + previous + "' and '"
            + output.getKey() + "'. " + RECONVERT);
      }
    }
    List<String> names = new ArrayList<>(byLayer.values());
    for (int layer = 0; layer < names.size(); layer++) {
      String expected = ModelSignature.hiddenStateOutput(layer);
      if (!names.get(layer).equals(expected)) {
        throw new ModelBundleException(modelFile + " has hidden-state outputs " + names + " but no '" + expected
            + "': they must run from hidden_states.0 to hidden_states.L without gaps. " + RECONVERT);
      }
    }
    return names;
  }

  private static int probeHiddenSize(OrtSession session, ModelSignature draft, ModelBundle bundle,
      int maxSeqLength, String modelFile) throws OrtException {
    long[] ids = new long[maxSeqLength];
    Arrays.fill(ids, draft.tokenizerVocabSize() - 1L);
    TokenBatch probe = TokenBatch.pad(List.of(new TokenizedText(ids, new long[maxSeqLength], false)), draft.padTokenId());
    // The session is closed by the caller; EncoderSession only borrows it here.
    EncoderSession borrowed = new EncoderSession(session, draft, ExecutionTarget.CPU);
    try {
      EncoderOutput out = borrowed.run(probe, allLayers(draft));
      if (draft.hasPooler() && (out.pooler() == null || out.pooler().length != out.hidden())) {
        throw new ModelBundleException(modelFile + ": output 'pooler_output' must be [batch, hidden].");
      }
      return out.hidden();
    } catch (HiddenStateShapeException e) {
      throw new ModelBundleException(modelFile + ": " + e.getMessage() + ". " + RECONVERT, e);
    } catch (OrtException e) {
      throw new ModelBundleException(modelFile + " failed a probe run of 1 x " + maxSeqLength + " tokens with "
          + "token id " + (draft.tokenizerVocabSize() - 1) + " (the largest id " + bundle.fileLocation(
          ModelBundle.TOKENIZER_FILE) + " can emit): " + e.getMessage() + ". Either maxSeqLength exceeds the "
          + "model's position embeddings or the tokenizer's vocabulary is larger than the embedding table.", e);
    }
  }

  /** The one message for a model file that neither protobuf nor ONNX Runtime can read. */
  static ModelBundleException notLoadable(String modelFile, Exception e) {
    return new ModelBundleException(modelFile + " is not a loadable ONNX model (" + e.getMessage()
        + "). Check that the file was copied completely.", e);
  }
}
