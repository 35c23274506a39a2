package org.kluespark.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.FileDigests;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.pooling.SentenceDeclaration;
import org.kluespark.precision.PrecisionConversion;
import org.kluespark.precision.PrecisionOptions;

/**
 * {@code kluespark quantize}: a float32 bundle (converted, built-in or exported elsewhere) rewritten in another
 * precision as a new bundle. The new bundle is written beside its destination, loaded back and probed the way
 * the stage will, and only then moved into place, so a failure leaves the destination as it was.
 */
public final class BundlePrecisionWriter {
  private BundlePrecisionWriter() {}

  /** What was written, for the CLI's summary. */
  public record Result(Path bundleDir, long sourceModelBytes, long modelBytes, List<String> summary) {}

  /**
   * @param sourceName what the user called the source ({@code minilm}, a path), recorded in the manifest
   */
  public static Result write(ModelBundle source, String sourceName, Path outputDir, PrecisionOptions options,
      Consumer<String> progress) {
    if (source.externalData() != null) {
      throw new IllegalArgumentException(source.location() + " keeps its weights in "
          + ModelBundle.EXTERNAL_DATA_FILE + "; quantize reads models whose weights are inside model.onnx. Convert "
          + "the checkpoint with `kluespark convert CHECKPOINT --precision " + options.precision().paramValue()
          + "`, which changes the precision before it writes.");
    }
    PrecisionConversion.Result converted = PrecisionConversion.convert(parse(source), options,
        source.fileLocation(ModelBundle.MODEL_FILE));
    converted.summary().forEach(progress);
    Map<String, String> howMade = new LinkedHashMap<>();
    // The declared pooling describes the model, not how this file was made: it carries over unprefixed.
    source.manifest().ifPresent(m -> m.parameters().forEach((k, v) ->
        howMade.put(SentenceDeclaration.isDeclarationKey(k) ? k : "source." + k, v)));
    howMade.putAll(converted.parameters());
    Path absolute = outputDir.toAbsolutePath().normalize();
    Path staging = absolute.resolveSibling("." + absolute.getFileName() + ".kluespark-tmp-" + ProcessHandle.current().pid());
    try {
      deleteRecursively(staging);
      Files.createDirectories(staging);
      BundleFiles.writeModel(converted.model(), staging, ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD,
          new BundleManifest.Source(sourceName, FileDigests.sha256Hex(source.modelBytes())), howMade);
      Files.write(staging.resolve(ModelBundle.TOKENIZER_FILE), source.tokenizerBytes());
      if (source.denseBytes() != null) {
        Files.write(staging.resolve(SentenceDeclaration.DENSE_FILE), source.denseBytes());
      }
      if (source.configBytes() != null) {
        Files.write(staging.resolve(ModelBundle.CONFIG_FILE), source.configBytes());
      }
      // Load it back exactly as the stage will, with a probe run, before anything replaces the destination.
      ModelInspector.inspect(ModelBundleLoader.load(staging.toUri().toString(), new org.apache.hadoop.conf.Configuration()),
          32);
      long written = Files.size(staging.resolve(ModelBundle.MODEL_FILE));
      publish(staging, absolute);
      return new Result(absolute, source.modelBytes().length, written, converted.summary());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bundle to " + outputDir + ": " + e.getMessage(), e);
    } finally {
      try {
        deleteRecursively(staging);
      } catch (IOException e) {
        progress.accept("could not remove " + staging + ": " + e.getMessage());
      }
    }
  }

  private static ModelProto parse(ModelBundle source) {
    CodedInputStream in = CodedInputStream.newInstance(source.modelBytes());
    in.setSizeLimit(Integer.MAX_VALUE);
    try {
      return ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(source.fileLocation(ModelBundle.MODEL_FILE) + " is not an ONNX model: "
          + e.getMessage(), e);
    }
  }

  /** Moves {@code staging} to {@code target}; an existing target is moved aside first and removed after. */
  private static void publish(Path staging, Path target) throws IOException {
    Path aside = target.resolveSibling("." + target.getFileName() + ".kluespark-old-" + ProcessHandle.current().pid());
    boolean hadTarget = Files.exists(target);
    if (hadTarget) {
      deleteRecursively(aside);
      Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (hadTarget) {
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE); // put the old bundle back
      }
      throw e;
    }
    deleteRecursively(aside);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
