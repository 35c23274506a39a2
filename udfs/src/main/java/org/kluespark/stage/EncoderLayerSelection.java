package org.kluespark.stage;

import java.util.ArrayList;
import java.util.List;
import org.kluespark.model.ModelSignature;

/**
 * Resolves the stage's {@code encoderLayers} against a model: Python-style negative indices become layer
 * numbers, an unset selection becomes every hidden state, and anything the model cannot give fails on the
 * driver with a message naming the Param and the fix.
 */
final class EncoderLayerSelection {
  private EncoderLayerSelection() {}

  /**
   * @param requested the encoderLayers value, or null for all of {@code hidden_states.0 … L}
   * @return indices into {@code hidden_states.*}, in the given order, duplicates kept
   */
  static List<Integer> resolve(int[] requested, ModelSignature signature, String modelPath) {
    int count = signature.hiddenStateCount();
    if (count == 0) {
      throw new IllegalArgumentException("encoderOutputsCol is set, but the model at " + modelPath + " has no "
          + "hidden_states outputs. Convert the checkpoint with `kluespark convert` without --no-hidden-states, "
          + "or unset encoderOutputsCol.");
    }
    List<Integer> layers = new ArrayList<>();
    if (requested == null) {
      for (int layer = 0; layer < count; layer++) {
        layers.add(layer);
      }
      return layers;
    }
    for (int index : requested) {
      if (index < -count || index >= count) {
        throw new IllegalArgumentException("encoderLayers: index " + index + " is out of range; the model at "
            + modelPath + " has hidden states 0.." + (count - 1) + " (embeddings + " + (count - 1)
            + " layers), so valid indices are " + (-count) + ".." + (count - 1) + ".");
      }
      layers.add(index < 0 ? count + index : index);
    }
    return layers;
  }
}
