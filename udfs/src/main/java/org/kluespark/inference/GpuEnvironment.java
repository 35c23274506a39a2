package org.kluespark.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** What the current task knows about GPUs. An interface so device choice is testable without one. */
public interface GpuEnvironment {

  /** The GPU Spark assigned to this task ({@code spark.task.resource.gpu.amount}), if any. */
  OptionalInt assignedGpu();

  /** Whether an NVIDIA device node is visible to this process at all. */
  boolean nvidiaDeviceVisible();

  /** Reads the running Spark task's resources and the host's device nodes. */
  static GpuEnvironment ofCurrentTask() {
    return new GpuEnvironment() {
      @Override
      public OptionalInt assignedGpu() {
        TaskContext task = TaskContext.get();
        if (task == null) {
          return OptionalInt.empty();
        }
        scala.Option<ResourceInformation> gpus = task.resources().get("gpu");
        if (gpus.isEmpty() || gpus.get().addresses().length == 0) {
          return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(gpus.get().addresses()[0].trim()));
      }

      @Override
      public boolean nvidiaDeviceVisible() {
        return Files.exists(Path.of("/dev/nvidiactl"));
      }
    };
  }
}
