package org.kluespark.stage;

import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader.Metadata;
import org.apache.spark.ml.util.MLReader;
import scala.Option;

/** Loads a saved {@link TextEmbedder}; its modelPath then points at the bundle copy saved with it. */
final class TextEmbedderReader extends MLReader<TextEmbedder> {
  @Override
  public TextEmbedder load(String path) {
    Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(), TextEmbedder.class.getName());
    TextEmbedder instance = new TextEmbedder(metadata.uid());
    metadata.getAndSetParams(instance, Option.empty());
    return instance.setModelPath(new Path(path, TextEmbedderWriter.MODEL_DIR).toString());
  }
}
