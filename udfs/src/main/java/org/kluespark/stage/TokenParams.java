package org.kluespark.stage;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.kluespark.tokenize.OffsetUnit;

/** The token-alignment Params TextEmbedder and TextPreprocessor share, with one doc each. */
final class TokenParams {
  private TokenParams() {}

  static Param<String> tokensCol(Identifiable parent) {
    return new Param<>(parent, "tokensCol", "optional output column of each row's token strings "
        + "(array<string>, special tokens and ## pieces included), one per token: aligned with "
        + "sequenceOutputCol's rows and the input_word_ids", ParamCheck.nonBlank("tokensCol"));
  }

  static Param<String> offsetsCol(Identifiable parent) {
    return new Param<>(parent, "offsetsCol", "optional output column of each token's span in its original "
        + "text, array<struct<start:int,end:int,segment:int>> aligned like tokensCol: text.substring(start, end) "
        + "is the token's surface form; segment 0 = inputCol, 1 = pairCol; null for special tokens",
        ParamCheck.nonBlank("offsetsCol"));
  }

  static Param<String> offsetUnit(Identifiable parent) {
    return new Param<>(parent, "offsetUnit", "what offsetsCol counts: codepoint (Unicode code points, as Python "
        + "str indices, Spark SQL substring and HF offset_mapping) or utf16 (Java/Scala String indices); they "
        + "differ only after emoji and other characters beyond U+FFFF",
        ParamCheck.oneOf("offsetUnit", OffsetUnit.names()));
  }
}
