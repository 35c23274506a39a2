package org.kluespark.inference;

import ai.onnxruntime.OrtException;
import java.util.Locale;

/**
 * Recognizes ONNX Runtime's out-of-memory failures, so a batch too large for the device can be split and
 * retried instead of failing the task. CUDA reports "CUDA failure 2: out of memory" or
 * "CUDNN_STATUS_ALLOC_FAILED"; the BFC arena (CUDA and CPU) "Failed to allocate memory for requested buffer".
 */
public final class OutOfMemory {
  private OutOfMemory() {}

  public static boolean isOutOfMemory(OrtException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return message.contains("out of memory") || message.contains("failed to allocate memory")
        || message.contains("alloc_failed") || message.contains("cudaerrormemoryallocation");
  }
}
