package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestVectors;

/**
 * Which of ONNX Runtime's BERT fusions fire on ELECTRA graphs at {@code ALL} (as EncoderFusionTest does for
 * BERT and RoBERTa), asserted as found so a change shows. Without a projection ELECTRA is BERT's graph without
 * a pooler, and everything fuses. With one, ORT's attention fusion starts from a LayerNormalization feeding
 * Q, K, V and the residual; layer 0's input is the projection's Add instead, so layer 0's attention and the
 * embeddings stay unfused (one LayerNormalization, one Softmax) while every later layer fuses.
 */
class ElectraFusionTest {
  @TempDir Path dir;

  @Test
  void withoutProjectionEverythingFusesAsInBert() throws Exception {
    Map<String, Integer> fused = fused(16);
    assertThat(fused).containsEntry("com.microsoft.Attention", 2)
        .containsEntry("com.microsoft.SkipLayerNormalization", 4)
        .containsEntry("com.microsoft.BiasGelu", 2)
        .containsEntry("com.microsoft.EmbedLayerNormalization", 1)
        .containsEntry("MatMul", 3 * 2)
        .doesNotContainKeys(EncoderFusionTest.UNFUSED)
        .doesNotContainKeys("LayerNormalization", "com.microsoft.FusedGemm");
  }

  @Test
  void withProjectionLayerZerosAttentionStaysUnfused() throws Exception {
    Map<String, Integer> fused = fused(8);
    assertThat(fused).containsEntry("com.microsoft.Attention", 1)
        .containsEntry("com.microsoft.SkipLayerNormalization", 4)
        .containsEntry("com.microsoft.BiasGelu", 2)
        .containsEntry("LayerNormalization", 1)
        .containsEntry("Softmax", 1)
        .doesNotContainKeys("com.microsoft.EmbedLayerNormalization", "Erf", "Pow", "ReduceMean", "Sqrt");
  }

  @Test
  void fusedProjectedGraphComputesWhatTheUnfusedOneDoes() throws Exception {
    Path file = write(8);
    long[][] ids = {{2, 7, 9, 11, 3}, {2, 5, 3, 0, 0}};
    long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
    Map<String, float[][][]> fused = EncoderFusionTest.run(file, OptLevel.ALL_OPT, ids, mask, true);
    Map<String, float[][][]> plain = EncoderFusionTest.run(file, OptLevel.NO_OPT, ids, mask, true);
    assertThat(plain).containsKeys("last_hidden_state", "hidden_states.0");
    for (String output : plain.keySet()) {
      assertThat(TestVectors.maxAbs(fused.get(output), plain.get(output))).as(output).isLessThanOrEqualTo(1e-5);
    }
  }

  private Map<String, Integer> fused(int embeddingSize) throws Exception {
    Map<String, Integer> fused = OptimizedGraph.optimizedOpCounts(write(embeddingSize), OptLevel.ALL_OPT, dir);
    System.out.printf("electra embedding_size %d, hidden 16: fused %s%n", embeddingSize, fused);
    return fused;
  }

  private Path write(int embeddingSize) throws Exception {
    EncoderConfig config = new EncoderConfig(EncoderFamily.ELECTRA, 50, 16, 2, 4, 32, "gelu", 20, 2, 1e-12, 0,
        embeddingSize);
    ModelProto model = EncoderGraphWriter.write(
        EncoderWeights.of(config, SyntheticWeights.generate(config, 5, false, 0.2), "random"), ExportOptions.defaults(),
        Map.of());
    Path file = Files.createTempFile(dir, "electra", ".onnx");
    Files.write(file, model.toByteArray());
    return file;
  }
}
