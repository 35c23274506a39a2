package org.kluespark.inference;

import java.util.OptionalInt;
import org.kluespark.model.Precision;

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
 *
 * <p>An int8 bundle runs on the CPU: ONNX Runtime's CUDA provider has no kernels for the dynamic int8 ops
 * ({@code DynamicQuantizeLinear}, {@code MatMulInteger} and their fused forms run on the host, with a copy to
 * and from the GPU around every one: onnxruntime issue 7745), so {@code auto} picks the CPU for it and
 * {@code cuda} refuses it rather than run slower than the CPU. GPUs take fp16 bundles.
 */
public final class DeviceChooser {
  private DeviceChooser() {}

  public static ExecutionTarget choose(Device requested, GpuEnvironment gpus, Precision precision) {
    if (requested == Device.CPU) {
      return ExecutionTarget.CPU;
    }
    if (precision == Precision.INT8) {
      if (requested == Device.CUDA) {
        throw new IllegalArgumentException(int8OnCudaMessage());
      }
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

  /** Why device=cuda refuses an int8 bundle; the driver says it before any task runs, executors again. */
  public static String int8OnCudaMessage() {
    return "device=cuda with an int8 bundle: ONNX Runtime's CUDA provider has no kernels for dynamic int8 "
        + "ops, so they would run on the host with copies to and from the GPU around each one (slower than the "
        + "CPU). On GPUs use an fp16 bundle (kluespark convert CHECKPOINT --precision fp16); run int8 bundles "
        + "with device=cpu or device=auto (which picks the CPU for them).";
  }
}
