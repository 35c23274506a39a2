package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kluespark.convert.OnnxModelFiles;

/**
 * An ONNX Runtime session on an in-memory model of any size: from its bytes when they fit in one array, else from
 * a scratch directory where the weights go to external data (ONNX Runtime cannot take a model over 2 GB as bytes,
 * and protobuf cannot serialize one to an array). Closing it closes the session and deletes the directory.
 */
final class ProbeSession implements AutoCloseable {
  private final OrtSession session;
  private final Path scratch;

  private ProbeSession(OrtSession session, Path scratch) {
    this.session = session;
    this.scratch = scratch;
  }

  static ProbeSession open(OrtEnvironment env, ModelProto model, OrtSession.SessionOptions options,
      long maxInMemoryBytes) throws OrtException, IOException {
    long size = model.getSerializedSize(); // negative when it overflows int
    if (size >= 0 && size <= maxInMemoryBytes) {
      return new ProbeSession(env.createSession(model.toByteArray(), options), null);
    }
    Path scratch = Files.createTempDirectory("kluespark-probe");
    try {
      OnnxModelFiles.write(model, scratch, 0);
      return new ProbeSession(env.createSession(scratch.resolve(OnnxModelFiles.MODEL_FILE).toString(), options),
          scratch);
    } catch (OrtException | IOException | RuntimeException e) {
      ScratchDirs.deleteQuietly(scratch);
      throw e;
    }
  }

  OrtSession session() {
    return session;
  }

  @Override
  public void close() throws OrtException {
    try {
      session.close();
    } finally {
      ScratchDirs.deleteQuietly(scratch);
    }
  }
}
