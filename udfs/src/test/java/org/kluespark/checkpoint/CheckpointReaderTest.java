package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kluespark.checkpoint.CheckpointFixtures.assertSameTensors;
import static org.kluespark.checkpoint.CheckpointFixtures.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointReaderTest {
  @TempDir
  Path tmp;

  private static final Map<String, WeightTensor> SAFETENSORS_WEIGHTS =
      Map.of("from.safetensors", tensor("from.safetensors", new long[] {2}, 1f, 2f));

  private void copyResource(String relative, Path target) throws IOException {
    Files.copy(CheckpointFixtures.resource(relative), target);
  }

  @Test
  void prefersSafetensorsOverPytorchBin() throws IOException {
    copyResource("torch/pytorch_model.bin", tmp.resolve("pytorch_model.bin"));
    SafetensorsWriter.write(tmp.resolve("model.safetensors"), SAFETENSORS_WEIGHTS, TensorDtype.F32);

    assertThat(CheckpointReader.format(tmp)).isEqualTo(CheckpointFormat.SAFETENSORS);
    assertThat(CheckpointReader.weightFiles(tmp)).containsExactly(tmp.resolve("model.safetensors"));
    assertSameTensors(CheckpointReader.read(tmp), SAFETENSORS_WEIGHTS);
  }

  @Test
  void prefersShardedSafetensorsOverPytorchBin() throws IOException {
    copyResource("torch/pytorch_model.bin", tmp.resolve("pytorch_model.bin"));
    SafetensorsWriter.writeSharded(tmp, SAFETENSORS_WEIGHTS, TensorDtype.F32, 1 << 20);

    assertThat(CheckpointReader.format(tmp)).isEqualTo(CheckpointFormat.SAFETENSORS_SHARDED);
    assertThat(CheckpointReader.weightFiles(tmp)).containsExactly(tmp.resolve("model.safetensors.index.json"),
        tmp.resolve("model-00001-of-00001.safetensors"));
    assertSameTensors(CheckpointReader.read(tmp), SAFETENSORS_WEIGHTS);
  }

  @Test
  void readsPytorchBinWhenThereIsNoSafetensors() throws IOException {
    copyResource("torch/pytorch_model.bin", tmp.resolve("pytorch_model.bin"));
    copyResource("torch-sharded/pytorch_model.bin.index.json", tmp.resolve("pytorch_model.bin.index.json"));

    assertThat(CheckpointReader.format(tmp)).isEqualTo(CheckpointFormat.PYTORCH);
    assertSameTensors(CheckpointReader.read(tmp),
        CheckpointFixtures.expected(CheckpointFixtures.resource("torch/expected.json")));
  }

  @Test
  void readsShardedPytorchBinLast() throws IOException {
    for (String file : new String[] {"pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin",
        "pytorch_model-00002-of-00002.bin"}) {
      copyResource("torch-sharded/" + file, tmp.resolve(file));
    }

    assertThat(CheckpointReader.format(tmp)).isEqualTo(CheckpointFormat.PYTORCH_SHARDED);
    assertThat(CheckpointReader.weightFiles(tmp)).containsExactly(tmp.resolve("pytorch_model.bin.index.json"),
        tmp.resolve("pytorch_model-00001-of-00002.bin"), tmp.resolve("pytorch_model-00002-of-00002.bin"));
    assertSameTensors(CheckpointReader.read(tmp),
        CheckpointFixtures.expected(CheckpointFixtures.resource("torch-sharded/expected.json")));
  }

  @Test
  void maliciousPytorchBinIsRefusedThroughTheFacade() throws IOException {
    copyResource("malicious-system/pytorch_model.bin", tmp.resolve("pytorch_model.bin"));

    assertThatThrownBy(() -> CheckpointReader.read(tmp)).isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(tmp.resolve("pytorch_model.bin") + ": refusing to load: the pickle calls"
            + " posix.system, which is not a tensor.");
  }

  @Test
  void emptyDirectoryIsAnErrorListingWhatWasLookedFor() throws IOException {
    Files.writeString(tmp.resolve("config.json"), "{}");
    String message = tmp + " has no checkpoint weights: looked for model.safetensors, model.safetensors.index.json,"
        + " pytorch_model.bin, pytorch_model.bin.index.json. Download the model's weights (and config.json) from"
        + " the HuggingFace hub into it.";

    assertThat(CheckpointReader.find(tmp)).isEmpty();
    assertThatThrownBy(() -> CheckpointReader.read(tmp)).isInstanceOf(CheckpointException.class).hasMessage(message);
    assertThatThrownBy(() -> CheckpointReader.weightFiles(tmp)).hasMessage(message);
  }
}
