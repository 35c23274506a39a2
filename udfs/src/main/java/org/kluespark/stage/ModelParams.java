package org.kluespark.stage;

import java.io.Serializable;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The one declaration of {@code modelPath} and {@code maxSeqLength}, which every stage has: a stage keeps one
 * instance (as a Scala class keeps the vals of its {@code HasInputCol}-style traits) and gets the accessors,
 * getters and setters from {@link HasModel}. The docs say what the stage reads of the bundle and what
 * {@code maxSeqLength} means for its input; names, validators and the default are the same for all.
 */
public final class ModelParams implements Serializable {
  private static final long serialVersionUID = 1L;

  /** maxSeqLength of a stage that tokenizes text itself. */
  static final String TRUNCATING_MAX_SEQ_LENGTH_DOC = "tokens per row at most, special tokens included; longer "
      + "rows (and pairs, longest first) are truncated";

  final Param<String> modelPath;
  final IntParam maxSeqLength;

  private ModelParams(Params parent, String modelPathDoc, String maxSeqLengthDoc) {
    modelPath = new Param<>(parent, "modelPath", modelPathDoc, ParamCheck.nonBlank("modelPath"));
    maxSeqLength = new IntParam(parent, "maxSeqLength", maxSeqLengthDoc, ParamCheck.atLeast("maxSeqLength", 2));
    parent.setDefault(maxSeqLength, 128);
  }

  /** For a stage that runs the model: it reads the whole bundle. */
  static ModelParams forEncoder(Params parent, String maxSeqLengthDoc) {
    return new ModelParams(parent, "model bundle directory (model.onnx + tokenizer.json, optional config.json) on "
        + "any Hadoop FileSystem, or a built-in model name (minilm)", maxSeqLengthDoc);
  }

  /** For a stage that only tokenizes: model.onnx need not exist. */
  static ModelParams forTokenizer(Params parent) {
    return new ModelParams(parent, "model bundle directory on any Hadoop FileSystem, or a built-in model name "
        + "(minilm); only its tokenizer.json (and config.json) is read", TRUNCATING_MAX_SEQ_LENGTH_DOC);
  }
}
