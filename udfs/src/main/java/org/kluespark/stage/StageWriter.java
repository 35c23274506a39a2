package org.kluespark.stage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.TokenizerBundle;
import scala.Option;

/**
 * Saves a stage's Params (Spark's metadata JSON) and a copy of its bundle's files under {@code <path>/model},
 * so a saved PipelineModel runs elsewhere without the original model path: the whole bundle for stages that
 * run the model, the tokenizer files alone for {@link TextPreprocessor}.
 */
final class StageWriter extends MLWriter {
  static final String MODEL_DIR = "model";

  /** Copies the files into the directory. */
  private interface Files {
    void writeInto(FileSystem fs, Path dir, Configuration conf) throws IOException;
  }

  private final Params instance;
  private final Supplier<Files> files;

  private StageWriter(Params instance, Supplier<Files> files) {
    this.instance = instance;
    this.files = files;
  }

  static StageWriter withModel(Params instance, Supplier<ModelBundle> bundle) {
    return new StageWriter(instance, () -> modelFiles(bundle.get()));
  }

  static StageWriter withTokenizer(Params instance, Supplier<TokenizerBundle> tokenizer) {
    return new StageWriter(instance, () -> {
      TokenizerBundle bundle = tokenizer.get();
      return (fs, dir, conf) -> {
        write(fs, new Path(dir, ModelBundle.TOKENIZER_FILE), bundle.tokenizerBytes());
        if (bundle.configBytes() != null) {
          write(fs, new Path(dir, ModelBundle.CONFIG_FILE), bundle.configBytes());
        }
      };
    });
  }

  @Override
  public void saveImpl(String path) {
    DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sc(), Option.empty(), Option.empty());
    Files bundleFiles = files.get();
    Path modelDir = new Path(path, MODEL_DIR);
    try {
      bundleFiles.writeInto(modelDir.getFileSystem(sc().hadoopConfiguration()), modelDir, sc().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the model bundle into " + modelDir, e);
    }
  }

  private static Files modelFiles(ModelBundle bundle) {
    return (fs, modelDir, conf) -> {
      write(fs, new Path(modelDir, ModelBundle.MODEL_FILE), bundle.modelBytes());
      write(fs, new Path(modelDir, ModelBundle.TOKENIZER_FILE), bundle.tokenizerBytes());
      if (bundle.configBytes() != null) {
        write(fs, new Path(modelDir, ModelBundle.CONFIG_FILE), bundle.configBytes());
      }
      if (bundle.denseBytes() != null) {
        write(fs, new Path(modelDir, org.kluespark.pooling.SentenceDeclaration.DENSE_FILE), bundle.denseBytes());
      }
      if (bundle.manifest().isPresent()) {
        write(fs, new Path(modelDir, BundleManifest.FILE),
            bundle.manifest().get().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      if (bundle.externalData() != null) {
        // Streamed file to file: external data is too large to hold in memory.
        Path source = new Path(bundle.externalData().location());
        FileUtil.copy(source.getFileSystem(conf), source, fs, new Path(modelDir, ModelBundle.EXTERNAL_DATA_FILE),
            false, true, conf);
      }
    };
  }

  private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(bytes);
    }
  }
}
