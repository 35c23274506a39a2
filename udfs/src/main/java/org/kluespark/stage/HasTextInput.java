package org.kluespark.stage;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.kluespark.tokenize.TextPrefixes;

/**
 * A stage that reads a text column or a pair of them ({@link TextInputParams}): the accessors Spark discovers
 * the Params through, their getters and setters, written once.
 *
 * @param <S> the concrete stage, which the setters return
 */
public interface HasTextInput<S extends Params> extends Params {
  /** This stage's instances of the Params below. */
  TextInputParams textInputParams();

  default Param<String> inputCol() {
    return textInputParams().inputCol;
  }

  default Param<String> pairCol() {
    return textInputParams().pairCol;
  }

  default Param<String> tokensCol() {
    return textInputParams().tokensCol;
  }

  default Param<String> offsetsCol() {
    return textInputParams().offsetsCol;
  }

  default Param<String> offsetUnit() {
    return textInputParams().offsetUnit;
  }

  default Param<String> textPrefix() {
    return textInputParams().textPrefix;
  }

  default Param<String> pairPrefix() {
    return textInputParams().pairPrefix;
  }

  default String getInputCol() {
    return $(inputCol());
  }

  /** The second text column, or null when rows are single texts. */
  default String getPairCol() {
    return isDefined(pairCol()) ? $(pairCol()) : null;
  }

  default String getTokensCol() {
    return isDefined(tokensCol()) ? $(tokensCol()) : null;
  }

  default String getOffsetsCol() {
    return isDefined(offsetsCol()) ? $(offsetsCol()) : null;
  }

  default String getOffsetUnit() {
    return $(offsetUnit());
  }

  /** The instruction before each text of inputCol; "" for none. */
  default String getTextPrefix() {
    return $(textPrefix());
  }

  /** The instruction before each text of pairCol; "" for none. */
  default String getPairPrefix() {
    return $(pairPrefix());
  }

  /** Both prefixes, as the tokenizer applies them. */
  default TextPrefixes textPrefixes() {
    return new TextPrefixes(getTextPrefix(), getPairPrefix());
  }

  @SuppressWarnings("unchecked")
  default S setTextPrefix(String value) {
    return (S) set(textPrefix(), value);
  }

  @SuppressWarnings("unchecked")
  default S setPairPrefix(String value) {
    return (S) set(pairPrefix(), value);
  }

  @SuppressWarnings("unchecked")
  default S setInputCol(String value) {
    return (S) set(inputCol(), value);
  }

  @SuppressWarnings("unchecked")
  default S setPairCol(String value) {
    return (S) set(pairCol(), value);
  }

  @SuppressWarnings("unchecked")
  default S setTokensCol(String value) {
    return (S) set(tokensCol(), value);
  }

  @SuppressWarnings("unchecked")
  default S setOffsetsCol(String value) {
    return (S) set(offsetsCol(), value);
  }

  @SuppressWarnings("unchecked")
  default S setOffsetUnit(String value) {
    return (S) set(offsetUnit(), value);
  }
}
