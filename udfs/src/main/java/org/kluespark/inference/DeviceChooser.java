package org.kluespark.inference;

import java.util.OptionalInt;

/**
 * Decides where a task's inference runs.
 *
 * <ul>
 *   <li>{@code cpu}: always the CPU.
 *   <li>{@code cuda}: the GPU Spark assigned to the task, else device 0 when a GPU is visible; no GPU at
 *       all is an error naming what is missing, never a silent CPU run.
 *   <li>{@code auto}: like {@code cuda} when the task has a GPU, else the CPU. We do not even try CUDA
 *       without a GPU: loading the CUDA provider unpacks ~600 MB of native code for nothing.
 * </ul>
 */
public final class DeviceChooser {
  private DeviceChooser() {}

  public static ExecutionTarget choose(Device requested, GpuEnvironment gpus) {
    if (requested == Device.CPU) {
      return ExecutionTarget.CPU;
    }
    OptionalInt assigned = gpus.assignedGpu();
    if (assigned.isPresent()) {
      return ExecutionTarget.cuda(assigned.getAsInt());
    }
    if (gpus.nvidiaDeviceVisible()) {
      return ExecutionTarget.cuda(0);
    }
    if (requested == Device.CUDA) {
      throw new IllegalStateException("device=cuda, but this executor has no GPU: Spark assigned no 'gpu' "
          + "resource to the task (set spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount) "
          + "and no NVIDIA device is visible (/dev/nvidiactl is missing). Run on GPU executors or use "
          + "device=auto or device=cpu.");
    }
    return ExecutionTarget.CPU;
  }
}
