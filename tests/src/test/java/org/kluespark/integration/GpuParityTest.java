package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * On a machine with an NVIDIA GPU and CUDA 12 / cuDNN 9: device=cuda gives the CPU's vectors within 1e-3
 * (GPU kernels use other summation orders and TF32). Skipped elsewhere, as on this project's CI.
 */
class GpuParityTest {
  @Test
  void cudaMatchesCpu() {
    assumeTrue(Files.exists(Path.of("/dev/nvidiactl")), "no NVIDIA GPU on this machine (/dev/nvidiactl absent)");
    Dataset<Row> texts = SparkTestSession.get()
        .createDataset(ParityCorpus.samples().sentences(), Encoders.STRING()).toDF("text");
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPooling("mean");
    List<Row> cpu = stage.setDevice("cpu").transform(texts).collectAsList();
    List<Row> gpu = stage.copy(new org.apache.spark.ml.param.ParamMap()).setDevice("cuda").transform(texts)
        .collectAsList();
    double max = 0;
    for (int i = 0; i < cpu.size(); i++) {
      max = Math.max(max, TestRows.maxAbsDiff(TestRows.vector(cpu.get(i), "pooled_output"),
          TestRows.vector(gpu.get(i), "pooled_output")));
    }
    System.out.printf("GPU-PARITY rows=%d max_abs=%.3e%n", cpu.size(), max);
    assertThat(max).isLessThanOrEqualTo(1e-3);
  }
}
