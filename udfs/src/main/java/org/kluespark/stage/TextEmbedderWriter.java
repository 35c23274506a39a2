package org.kluespark.stage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;
import org.kluespark.model.ModelBundle;
import scala.Option;

/**
 * Saves the stage's Params (Spark's metadata JSON) and a copy of its model bundle under
 * {@code <path>/model}, so a saved PipelineModel runs elsewhere without the original model path.
 */
final class TextEmbedderWriter extends MLWriter {
  static final String MODEL_DIR = "model";

  private final TextEmbedder instance;

  TextEmbedderWriter(TextEmbedder instance) {
    this.instance = instance;
  }

  @Override
  public void saveImpl(String path) {
    DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sc(), Option.empty(), Option.empty());
    ModelBundle bundle = instance.loadModel().bundle();
    Path modelDir = new Path(path, MODEL_DIR);
    try {
      FileSystem fs = modelDir.getFileSystem(sc().hadoopConfiguration());
      write(fs, new Path(modelDir, ModelBundle.MODEL_FILE), bundle.modelBytes());
      write(fs, new Path(modelDir, ModelBundle.TOKENIZER_FILE), bundle.tokenizerBytes());
      if (bundle.configBytes() != null) {
        write(fs, new Path(modelDir, ModelBundle.CONFIG_FILE), bundle.configBytes());
      }
      if (bundle.externalData() != null) {
        // Streamed file to file: external data is too large to hold in memory.
        Path source = new Path(bundle.externalData().location());
        FileUtil.copy(source.getFileSystem(sc().hadoopConfiguration()), source, fs,
            new Path(modelDir, ModelBundle.EXTERNAL_DATA_FILE), false, true, sc().hadoopConfiguration());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the model bundle into " + modelDir, e);
    }
  }

  private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(bytes);
    }
  }
}
