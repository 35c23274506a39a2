package org.kluespark.stage;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * A stage that writes or reads token id columns ({@link IdColumnParams}): the accessors Spark discovers the
 * Params through, their getters and setters, written once.
 *
 * @param <S> the concrete stage, which the setters return
 */
public interface HasIdColumns<S extends Params> extends Params {
  /** This stage's instances of the Params below. */
  IdColumnParams idColumnParams();

  default Param<String> inputWordIdsCol() {
    return idColumnParams().inputWordIdsCol;
  }

  default Param<String> inputMaskCol() {
    return idColumnParams().inputMaskCol;
  }

  default Param<String> inputTypeIdsCol() {
    return idColumnParams().inputTypeIdsCol;
  }

  default String getInputWordIdsCol() {
    return $(inputWordIdsCol());
  }

  default String getInputMaskCol() {
    return $(inputMaskCol());
  }

  default String getInputTypeIdsCol() {
    return $(inputTypeIdsCol());
  }

  @SuppressWarnings("unchecked")
  default S setInputWordIdsCol(String value) {
    return (S) set(inputWordIdsCol(), value);
  }

  @SuppressWarnings("unchecked")
  default S setInputMaskCol(String value) {
    return (S) set(inputMaskCol(), value);
  }

  @SuppressWarnings("unchecked")
  default S setInputTypeIdsCol(String value) {
    return (S) set(inputTypeIdsCol(), value);
  }
}
