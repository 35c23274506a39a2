package org.kluespark.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** Builds ONNX Runtime sessions with the options every kluespark session uses. */
public final class OrtSessionFactory {
  private OrtSessionFactory() {}

  /** The process-wide environment; ONNX Runtime allows one per process and it lives until exit. */
  public static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment();
  }

  /**
   * Creates a session for {@code bundle} on {@code target}: from the broadcast bytes, or, for a model with
   * external data, from a local copy of its files.
   */
  public static OrtSession create(org.kluespark.model.ModelBundle bundle, ExecutionTarget target, int intraOpThreads)
      throws OrtException {
    if (bundle.externalData() == null) {
      return create(bundle.modelBytes(), target, intraOpThreads);
    }
    java.nio.file.Path model = LocalModelFiles.materialize(bundle);
    try (OrtSession.SessionOptions options = options(target, intraOpThreads)) {
      return environment().createSession(model.toString(), options);
    }
  }

  /**
   * Creates a session for {@code modelBytes} on {@code target}.
   *
   * @throws OrtException when the graph is invalid or the CUDA provider cannot be loaded
   */
  public static OrtSession create(byte[] modelBytes, ExecutionTarget target, int intraOpThreads)
      throws OrtException {
    try (OrtSession.SessionOptions options = options(target, intraOpThreads)) {
      return environment().createSession(modelBytes, options);
    }
  }

  private static OrtSession.SessionOptions options(ExecutionTarget target, int intraOpThreads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      // Spinning threads burn a core while waiting for work; with several task threads per executor
      // sharing the session that steals CPU from tokenization and from the other tasks.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      if (target.cuda()) {
        options.addCUDA(target.gpu());
      }
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }
}
