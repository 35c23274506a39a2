package org.kluespark.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What ONNX Runtime's session optimizer makes of a graph: the op types of the model it writes back with
 * {@code SessionOptions.setOptimizedModelFilePath}, counted. Ops outside the default domain are prefixed
 * with it ({@code com.microsoft.Attention}), so fused ops stand out from standard ones.
 */
final class OptimizedGraph {
  private OptimizedGraph() {}

  /** Op counts of {@code model} as written (no optimization). */
  static Map<String, Integer> opCounts(ModelProto model) {
    Map<String, Integer> counts = new TreeMap<>();
    for (NodeProto node : model.getGraph().getNodeList()) {
      String domain = node.getDomain();
      String op = domain.isEmpty() || domain.equals("ai.onnx") ? node.getOpType() : domain + "." + node.getOpType();
      counts.merge(op, 1, Integer::sum);
    }
    return counts;
  }

  /** Loads {@code modelFile} on the CPU provider at {@code level} and returns the optimized model's op counts. */
  static Map<String, Integer> optimizedOpCounts(Path modelFile, OrtSession.SessionOptions.OptLevel level, Path scratch)
      throws OrtException, IOException {
    Path optimized = Files.createTempFile(scratch, "optimized", ".onnx");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(level);
      options.setIntraOpNumThreads(1);
      options.setOptimizedModelFilePath(optimized.toString());
      try (OrtSession session = OrtEnvironment.getEnvironment().createSession(modelFile.toString(), options)) {
        // The optimized file is written while the session is built.
      }
    }
    try {
      return opCounts(ModelProto.parseFrom(Files.readAllBytes(optimized)));
    } finally {
      Files.deleteIfExists(optimized);
      Files.deleteIfExists(optimized.resolveSibling(optimized.getFileName() + ".data"));
    }
  }
}
