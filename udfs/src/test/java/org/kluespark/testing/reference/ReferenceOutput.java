package org.kluespark.testing.reference;

import java.util.List;

/**
 * What the reference encoder computes, shaped like HF's {@code BaseModelOutputWithPooling} with
 * {@code output_hidden_states=True}.
 *
 * @param lastHiddenState [batch][seq][hidden]; padded positions hold values too, as in HF
 * @param pooler [batch][hidden] {@code tanh(h_[CLS] · Wᵀ + b)}, or null when the weights have no pooler
 * @param hiddenStates index 0 the embeddings' output, index i the output of layer i; the last is
 *     {@code lastHiddenState}
 */
public record ReferenceOutput(double[][][] lastHiddenState, double[][] pooler, List<double[][][]> hiddenStates) {

  public ReferenceOutput {
    hiddenStates = List.copyOf(hiddenStates);
  }
}
