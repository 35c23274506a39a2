package org.kluespark.stage;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kluespark.model.BuiltinModels;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleException;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.TokenizerBundle;
import org.kluespark.tokenize.TextTokenizer;

/**
 * The driver's cache of validated bundles, so {@code transformSchema} and {@code transform} (and repeated
 * transforms in a notebook) read and validate a model once. Keyed by path, {@code maxSeqLength} and the
 * files' size and modification time, so an overwritten bundle is read again. Holds a few entries only:
 * each holds the model's bytes. Stages that only tokenize get the tokenizer files alone, cached the same way.
 */
final class DriverModelCache {
  private static final int MAX_ENTRIES = 4;
  private static final Map<String, LoadedModel> CACHE = new LinkedHashMap<>(8, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, LoadedModel> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  private static final Map<String, BroadcastOnce<TokenizerBundle>> TOKENIZERS = new LinkedHashMap<>(8, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, BroadcastOnce<TokenizerBundle>> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  private DriverModelCache() {}

  /**
   * The tokenizer files of the bundle at {@code modelPath}, validated: the tokenizer loads, and
   * {@code maxSeqLength} fits the positions config.json gives (when it has them).
   */
  static synchronized BroadcastOnce<TokenizerBundle> loadTokenizer(String modelPath, int maxSeqLength,
      Configuration hadoopConf) {
    String key = modelPath + "|" + maxSeqLength + "|" + versionOf(modelPath, hadoopConf);
    BroadcastOnce<TokenizerBundle> cached = TOKENIZERS.get(key);
    if (cached == null) {
      TokenizerBundle tokenizer = ModelBundleLoader.loadTokenizer(modelPath, hadoopConf);
      Integer positions = tokenizer.maxPositions();
      if (positions != null && maxSeqLength > positions) {
        throw new ModelBundleException("maxSeqLength " + maxSeqLength + " exceeds the " + positions
            + " positions the model has (" + tokenizer.fileLocation(ModelBundle.CONFIG_FILE) + "). Set maxSeqLength "
            + "to at most " + positions + ".");
      }
      try (TextTokenizer probe = TextTokenizer.fromJson(tokenizer.tokenizerBytes(), maxSeqLength)) {
        probe.encode("probe", null); // fails here, on the driver, rather than in every task
      } catch (RuntimeException e) {
        throw new ModelBundleException("Cannot load " + tokenizer.fileLocation(ModelBundle.TOKENIZER_FILE)
            + " as a HuggingFace fast tokenizer: " + e.getMessage(), e);
      }
      cached = new BroadcastOnce<>(tokenizer);
      TOKENIZERS.put(key, cached);
    }
    return cached;
  }

  static synchronized LoadedModel load(String modelPath, int maxSeqLength, Configuration hadoopConf) {
    String key = modelPath + "|" + maxSeqLength + "|" + versionOf(modelPath, hadoopConf);
    LoadedModel cached = CACHE.get(key);
    if (cached == null) {
      ModelBundle bundle = ModelBundleLoader.load(modelPath, hadoopConf);
      cached = new LoadedModel(bundle, ModelInspector.inspect(bundle, maxSeqLength));
      CACHE.put(key, cached);
    }
    return cached;
  }

  private static String versionOf(String modelPath, Configuration hadoopConf) {
    if (modelPath == null || BuiltinModels.isBuiltin(modelPath)) {
      return "builtin";
    }
    StringBuilder version = new StringBuilder();
    try {
      Path dir = new Path(modelPath);
      FileSystem fs = dir.getFileSystem(hadoopConf);
      for (String file : new String[] {ModelBundle.MODEL_FILE, ModelBundle.TOKENIZER_FILE, ModelBundle.CONFIG_FILE,
          ModelBundle.EXTERNAL_DATA_FILE}) {
        Path path = new Path(dir, file);
        if (fs.exists(path)) {
          FileStatus status = fs.getFileStatus(path);
          version.append(status.getLen()).append('@').append(status.getModificationTime()).append(';');
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      return "unreadable"; // the loader reports the real problem
    }
    return version.toString();
  }
}
