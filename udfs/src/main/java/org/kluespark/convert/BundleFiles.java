package org.kluespark.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.FileDigests;
import org.kluespark.model.GraphPrecision;

/** Writes a bundle's model and the {@code kluespark.json} that describes it, for convert and quantize alike. */
public final class BundleFiles {
  private BundleFiles() {}

  /**
   * Writes {@code model} under {@code dir} ({@link OnnxModelFiles#write}), then its manifest: the precision read
   * from the graph itself, the written file's SHA-256, {@code source} and {@code parameters}. Returns whether
   * the weights went to external data.
   */
  public static boolean writeModel(ModelProto model, Path dir, long externalDataThresholdBytes,
      BundleManifest.Source source, Map<String, String> parameters) throws IOException {
    boolean external = OnnxModelFiles.write(model, dir, externalDataThresholdBytes);
    String modelSha256 = FileDigests.sha256(dir.resolve(OnnxModelFiles.MODEL_FILE));
    BundleManifest manifest = new BundleManifest(GraphPrecision.of(model), modelSha256, source,
        BundleManifest.currentConverter(), parameters);
    Files.writeString(dir.resolve(BundleManifest.FILE), manifest.toJson(), StandardCharsets.UTF_8);
    return external;
  }
}
