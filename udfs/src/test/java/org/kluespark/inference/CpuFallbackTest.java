package org.kluespark.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.ModelSignature;
import org.kluespark.testing.TestModels;

/**
 * A task that Spark gave a GPU, on a machine where the CUDA provider cannot start (this one: no CUDA
 * libraries, so onnxruntime_gpu's addCUDA throws): device=auto runs on the CPU and says so through
 * {@link SessionEvents#cpuFallback()} on every such task; device=cuda fails naming what is missing.
 */
class CpuFallbackTest {
  /** Spark assigned GPU 3 to the task. */
  private static final GpuEnvironment ASSIGNED_GPU = new GpuEnvironment() {
    @Override
    public OptionalInt assignedGpu() {
      return OptionalInt.of(3);
    }

    @Override
    public boolean nvidiaDeviceVisible() {
      return true;
    }
  };

  private static final class Recorder implements SessionEvents {
    int loads;
    int fallbacks;

    @Override
    public void modelLoaded() {
      loads++;
    }

    @Override
    public void cpuFallback() {
      fallbacks++;
    }
  }

  @BeforeEach
  @AfterEach
  void reset() {
    SessionCache.resetForTesting();
  }

  @Test
  void autoFallsBackToTheCpuAndCountsEveryTaskThatDid() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a real GPU is present: CUDA may start here");
    ModelBundle bundle = TestModels.minilm();
    ModelSignature signature = ModelInspector.inspect(bundle, 128);
    SessionSettings auto = new SessionSettings(Device.AUTO, 1);

    Recorder first = new Recorder();
    EncoderSession session = SessionCache.get(bundle, signature, auto, first, ASSIGNED_GPU);
    assertThat(session.target()).isEqualTo(ExecutionTarget.CPU);
    assertThat(first.fallbacks).isEqualTo(1);
    assertThat(first.loads).isEqualTo(1);

    Recorder second = new Recorder(); // a later task: CUDA is not tried again, the fallback still counts
    assertThat(SessionCache.get(bundle, signature, auto, second, ASSIGNED_GPU)).isSameAs(session);
    assertThat(second.fallbacks).isEqualTo(1);
    assertThat(second.loads).isZero();

    Recorder cpu = new Recorder(); // device=cpu never counts as a fallback
    assertThat(SessionCache.get(bundle, signature, new SessionSettings(Device.CPU, 1), cpu, ASSIGNED_GPU))
        .isSameAs(session);
    assertThat(cpu.fallbacks).isZero();
    assertThat(SessionCache.sessionsCreated()).isEqualTo(1);
  }

  @Test
  void cudaRequestedFailsNamingTheMissingLibrariesAndCountsNoFallback() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a real GPU is present: CUDA may start here");
    ModelBundle bundle = TestModels.minilm();
    Recorder events = new Recorder();
    assertThatThrownBy(() -> SessionCache.get(bundle, ModelInspector.inspect(bundle, 128),
        new SessionSettings(Device.CUDA, 1), events, ASSIGNED_GPU))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("device=cuda: ONNX Runtime could not start the CUDA provider on GPU 3: ")
        .hasMessageContaining("CUDA 12 and cuDNN 9 libraries on the executor's LD_LIBRARY_PATH");
    assertThat(events.fallbacks).isZero();
    assertThat(SessionCache.sessionsCreated()).isZero();
  }
}
