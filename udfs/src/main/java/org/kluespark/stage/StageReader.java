package org.kluespark.stage;

import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader.Metadata;
import org.apache.spark.ml.util.MLReader;
import scala.Option;

/** Loads a stage saved by {@link StageWriter}; its modelPath then points at the bundle copy saved with it. */
final class StageReader<T extends Params> extends MLReader<T> {
  private final Class<T> type;
  private final Function<String, T> create;
  private final BiFunction<T, String, T> setModelPath;

  StageReader(Class<T> type, Function<String, T> create, BiFunction<T, String, T> setModelPath) {
    this.type = type;
    this.create = create;
    this.setModelPath = setModelPath;
  }

  @Override
  public T load(String path) {
    Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(), type.getName());
    T instance = create.apply(metadata.uid());
    metadata.getAndSetParams(instance, Option.empty());
    return setModelPath.apply(instance, new Path(path, StageWriter.MODEL_DIR).toString());
  }
}
