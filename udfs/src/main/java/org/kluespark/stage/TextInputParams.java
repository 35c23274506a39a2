package org.kluespark.stage;

import java.io.Serializable;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.kluespark.tokenize.OffsetUnit;

/**
 * The one declaration of the Params of a stage that reads text columns — {@code inputCol}, {@code pairCol} —
 * and can output each row's tokens and their offsets ({@code tokensCol}, {@code offsetsCol},
 * {@code offsetUnit}), with the instruction prefixes put before those texts ({@code textPrefix},
 * {@code pairPrefix}): {@link TextEmbedder} and {@link TextPreprocessor} each keep one instance and get the
 * accessors, getters and setters from {@link HasTextInput}. The docs differ only in what the stage does with
 * the text ("embed" or "tokenize").
 */
public final class TextInputParams implements Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> inputCol;
  final Param<String> pairCol;
  final Param<String> tokensCol;
  final Param<String> offsetsCol;
  final Param<String> offsetUnit;
  final Param<String> textPrefix;
  final Param<String> pairPrefix;

  /**
   * @param verb what the stage does with a text: "embed" or "tokenize"
   * @param participle the same as a participle: "embedded" or "tokenized"
   */
  TextInputParams(Params parent, String verb, String participle) {
    inputCol = new Param<>(parent, "inputCol", "string column to " + verb, ParamCheck.nonBlank("inputCol"));
    pairCol = new Param<>(parent, "pairCol", "optional second string column: rows are " + participle + " as text "
        + "pairs ([CLS] a [SEP] b [SEP], token types 0/1)", ParamCheck.nonBlank("pairCol"));
    tokensCol = new Param<>(parent, "tokensCol", "optional output column of each row's token strings "
        + "(array<string>, special tokens and ## pieces included), one per token: aligned with "
        + "sequenceOutputCol's rows and the input_word_ids", ParamCheck.nonBlank("tokensCol"));
    offsetsCol = new Param<>(parent, "offsetsCol", "optional output column of each token's span in its original "
        + "text, array<struct<start:int,end:int,segment:int>> aligned like tokensCol: text.substring(start, end) "
        + "is the token's surface form; segment 0 = inputCol, 1 = pairCol; null for special tokens",
        ParamCheck.nonBlank("offsetsCol"));
    offsetUnit = new Param<>(parent, "offsetUnit", "what offsetsCol counts: codepoint (Unicode code points, as "
        + "Python str indices, Spark SQL substring and HF offset_mapping) or utf16 (Java/Scala String indices); "
        + "they differ only after emoji and other characters beyond U+FFFF",
        ParamCheck.oneOf("offsetUnit", OffsetUnit.names()));

    textPrefix = new Param<>(parent, "textPrefix", "instruction put before every (non-null) text of inputCol "
        + "before it is " + participle + ", e.g. \"query: \" or \"passage: \" for multilingual-e5: its tokens are "
        + "real tokens (in tokensCol, counted in maxSeqLength, in the vectors), exactly as if inputCol held the "
        + "concatenation; offsetsCol stays relative to the text without it (the prefix's tokens get null spans). "
        + "With pairCol it goes on the first text only (see pairPrefix). Empty (the default) = none",
        ParamCheck.notNull("textPrefix"));
    pairPrefix = new Param<>(parent, "pairPrefix", "instruction put before every (non-null) text of pairCol, as "
        + "textPrefix is before inputCol's; needs pairCol. Empty (the default) = none: retrieval models (e5) "
        + "embed a query and a passage as two single texts, each with its own textPrefix, not as a pair",
        ParamCheck.notNull("pairPrefix"));

    parent.setDefault(inputCol, "text");
    parent.setDefault(textPrefix, "");
    parent.setDefault(pairPrefix, "");
    parent.setDefault(offsetUnit, OffsetUnit.CODEPOINT.paramValue());
  }
}
