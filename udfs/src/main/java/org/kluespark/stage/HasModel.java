package org.kluespark.stage;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * A stage with a model bundle ({@link ModelParams}): the accessors Spark discovers the Params through, their
 * getters and setters, written once for all stages.
 *
 * @param <S> the concrete stage, which the setters return
 */
public interface HasModel<S extends Params> extends Params {
  /** This stage's instances of the Params below. */
  ModelParams modelParams();

  default Param<String> modelPath() {
    return modelParams().modelPath;
  }

  default IntParam maxSeqLength() {
    return modelParams().maxSeqLength;
  }

  default String getModelPath() {
    return $(modelPath());
  }

  default int getMaxSeqLength() {
    return (Integer) $(maxSeqLength());
  }

  @SuppressWarnings("unchecked")
  default S setModelPath(String value) {
    return (S) set(modelPath(), value);
  }

  @SuppressWarnings("unchecked")
  default S setMaxSeqLength(int value) {
    return (S) set(maxSeqLength(), value);
  }
}
