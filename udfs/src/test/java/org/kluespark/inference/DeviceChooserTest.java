package org.kluespark.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.kluespark.model.Precision;

class DeviceChooserTest {
  private static GpuEnvironment gpus(OptionalInt assigned, boolean visible) {
    return new GpuEnvironment() {
      @Override
      public OptionalInt assignedGpu() {
        return assigned;
      }

      @Override
      public boolean nvidiaDeviceVisible() {
        return visible;
      }
    };
  }

  @Test
  void cpuIsAlwaysCpu() {
    assertThat(DeviceChooser.choose(Device.CPU, gpus(OptionalInt.of(1), true), Precision.FP32)).isEqualTo(ExecutionTarget.CPU);
  }

  @Test
  void usesTheGpuSparkAssignedToTheTaskNotDeviceZero() {
    assertThat(DeviceChooser.choose(Device.CUDA, gpus(OptionalInt.of(3), true), Precision.FP32)).isEqualTo(ExecutionTarget.cuda(3));
    assertThat(DeviceChooser.choose(Device.AUTO, gpus(OptionalInt.of(2), true), Precision.FP32)).isEqualTo(ExecutionTarget.cuda(2));
  }

  @Test
  void visibleGpuWithoutResourceSchedulingIsDeviceZero() {
    assertThat(DeviceChooser.choose(Device.AUTO, gpus(OptionalInt.empty(), true), Precision.FP32)).isEqualTo(ExecutionTarget.cuda(0));
  }

  @Test
  void autoWithoutGpuRunsOnCpu() {
    assertThat(DeviceChooser.choose(Device.AUTO, gpus(OptionalInt.empty(), false), Precision.FP32)).isEqualTo(ExecutionTarget.CPU);
  }

  @Test
  void cudaWithoutGpuFailsNamingWhatIsMissing() {
    assertThatThrownBy(() -> DeviceChooser.choose(Device.CUDA, gpus(OptionalInt.empty(), false), Precision.FP32))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("device=cuda, but this executor has no GPU")
        .hasMessageContaining("spark.task.resource.gpu.amount")
        .hasMessageContaining("/dev/nvidiactl");
  }

  @Test
  void deviceParamsParseAndNameTheValidOnes() {
    assertThat(Device.fromParam("CUDA")).isEqualTo(Device.CUDA);
    assertThatThrownBy(() -> Device.fromParam("tpu")).hasMessage("Invalid device 'tpu', expected one of [auto, cpu, cuda]");
  }

  @Test
  void int8BundlesRunOnTheCpuUnderAutoEvenWithAGpu() {
    assertThat(DeviceChooser.choose(Device.AUTO, gpus(OptionalInt.of(2), true), Precision.INT8))
        .isEqualTo(ExecutionTarget.CPU);
    assertThat(DeviceChooser.choose(Device.AUTO, gpus(OptionalInt.of(2), true), Precision.FP16))
        .isEqualTo(ExecutionTarget.cuda(2));
  }

  @Test
  void int8BundlesAreRefusedOnCuda() {
    assertThatThrownBy(() -> DeviceChooser.choose(Device.CUDA, gpus(OptionalInt.of(0), true), Precision.INT8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device=cuda with an int8 bundle")
        .hasMessageContaining("--precision fp16")
        .hasMessageContaining("device=cpu or device=auto");
  }
}
