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
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;

/**
 * The driver's cache of validated bundles, so {@code transformSchema} and {@code transform} (and repeated
 * transforms in a notebook) read and validate a model once. Keyed by path, {@code maxSeqLength} and the
 * files' size and modification time, so an overwritten bundle is read again. Holds a few entries only:
 * each holds the model's bytes.
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

  private DriverModelCache() {}

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
