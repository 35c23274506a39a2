package org.kluespark.stage;

import java.io.Serializable;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The one declaration of the token id columns {@link TextPreprocessor} writes and {@link TokenEncoder} reads —
 * {@code inputWordIdsCol}, {@code inputMaskCol}, {@code inputTypeIdsCol}, with TF Hub's names as defaults so
 * the two stages connect without settings. Each stage keeps one instance and gets the accessors, getters and
 * setters from {@link HasIdColumns}; the docs say which side of the columns the stage is on.
 */
public final class IdColumnParams implements Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> inputWordIdsCol;
  final Param<String> inputMaskCol;
  final Param<String> inputTypeIdsCol;

  private IdColumnParams(Params parent, String wordIdsDoc, String maskDoc, String typeIdsDoc) {
    inputWordIdsCol = new Param<>(parent, "inputWordIdsCol", wordIdsDoc, ParamCheck.nonBlank("inputWordIdsCol"));
    inputMaskCol = new Param<>(parent, "inputMaskCol", maskDoc, ParamCheck.nonBlank("inputMaskCol"));
    inputTypeIdsCol = new Param<>(parent, "inputTypeIdsCol", typeIdsDoc, ParamCheck.nonBlank("inputTypeIdsCol"));

    parent.setDefault(inputWordIdsCol, "input_word_ids");
    parent.setDefault(inputMaskCol, "input_mask");
    parent.setDefault(inputTypeIdsCol, "input_type_ids");
  }

  /** For the stage that writes the columns. */
  static IdColumnParams outputs(Params parent) {
    return new IdColumnParams(parent, "output column of token ids (array<int>)",
        "output column of the attention mask (array<int>): 1 for real tokens, 0 for padding",
        "output column of token type ids (array<int>): 0 for the first text, 1 for the second of a pair (as the "
            + "tokenizer's post-processor sets them)");
  }

  /** For the stage that reads the columns. */
  static IdColumnParams inputs(Params parent) {
    return new IdColumnParams(parent, "input column of token ids (array<int> or array<bigint>); null gives null "
            + "outputs",
        "input column of the attention mask: 1 for real tokens, then 0s for right padding",
        "input column of token type ids (0 first text, 1 second text of a pair)");
  }
}
