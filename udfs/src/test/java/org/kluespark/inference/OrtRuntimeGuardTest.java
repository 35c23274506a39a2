package org.kluespark.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.TestModels;

/**
 * Guards the onnxruntime_gpu version choice (1.28.0): 1.29.0 SIGSEGVs while creating the environment
 * on machines without CUDA, which would kill this JVM (surefire would report a crashed fork). 1.28.0
 * must create the environment, run the CPU provider, and fail to add CUDA with a catchable exception.
 */
class OrtRuntimeGuardTest {

  @Test
  void environmentAndCpuSessionWorkWithoutCuda() throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    assertThat(OrtEnvironment.getAvailableProviders()).contains(OrtProvider.CPU);
    try (OrtSession session = OrtSessionFactory.create(TestModels.minilm().modelBytes(), ExecutionTarget.CPU, 1)) {
      assertThat(session.getInputNames()).contains("input_ids", "attention_mask");
    }
    assertThat(env).isSameAs(OrtSessionFactory.environment());
  }

  @Test
  void addingCudaWithoutCudaFailsWithCatchableException() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has an NVIDIA GPU; the guard is for CPU-only hosts");
    assertThatThrownBy(() -> {
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.addCUDA(0);
      }
    }).isInstanceOf(OrtException.class);
  }
}
