package org.kluespark.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {

  @Test
  void prefersTokenizerJsonAndSingleSafetensors() {
    List<String> repo = List.of("README.md", "config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json",
        "model.safetensors", "pytorch_model.bin", "tf_model.h5", "onnx/model.onnx", "model.safetensors.index.json");
    assertThat(CheckpointFiles.select(repo, "r"))
        .containsExactly("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors");
  }

  @Test
  void sentenceTransformersFilesComeAlongWhenListed() {
    // As in sentence-transformers/LaBSE-style repositories: Pooling, Dense (with two weight formats), Normalize.
    List<String> repo = List.of("config.json", "tokenizer.json", "model.safetensors", "modules.json",
        "sentence_bert_config.json", "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/model.safetensors",
        "2_Dense/pytorch_model.bin", "3_Normalize/.gitkeep", "README.md");
    assertThat(CheckpointFiles.select(repo, "r")).containsExactly("config.json", "tokenizer.json",
        "model.safetensors", "modules.json", "1_Pooling/config.json", "2_Dense/config.json",
        "2_Dense/model.safetensors");
    assertThat(CheckpointFiles.select(List.of("config.json", "vocab.txt", "pytorch_model.bin", "modules.json",
        "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/pytorch_model.bin"), "r"))
        .endsWith("modules.json", "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/pytorch_model.bin");
    assertThat(CheckpointFiles.select(List.of("config.json", "vocab.txt", "pytorch_model.bin", "1_Pooling/config.json"),
        "r")).as("without modules.json nothing declares a pipeline").doesNotContain("1_Pooling/config.json");
  }

  @Test
  void fallsBackInTransformersOrder() {
    assertThat(CheckpointFiles.select(List.of("config.json", "vocab.txt", "tokenizer_config.json",
        "special_tokens_map.json", "pytorch_model.bin"), "r"))
        .containsExactly("config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
            "pytorch_model.bin");
    assertThat(CheckpointFiles.select(List.of("config.json", "vocab.json", "merges.txt",
        "model.safetensors.index.json", "model-00001-of-00002.safetensors", "pytorch_model.bin"), "r"))
        .containsExactly("config.json", "vocab.json", "merges.txt", "model.safetensors.index.json");
    assertThat(CheckpointFiles.select(List.of("config.json", "tokenizer.json", "pytorch_model.bin.index.json"), "r"))
        .containsExactly("config.json", "tokenizer.json", "pytorch_model.bin.index.json");
    // XLM-R repositories (xlm-roberta-base, multilingual-e5-*): tokenizer.json first, else the SentencePiece model.
    assertThat(CheckpointFiles.select(List.of("config.json", "sentencepiece.bpe.model", "tokenizer_config.json",
        "model.safetensors"), "r"))
        .containsExactly("config.json", "sentencepiece.bpe.model", "tokenizer_config.json", "model.safetensors");
    assertThat(CheckpointFiles.select(List.of("config.json", "sentencepiece.bpe.model", "tokenizer.json",
        "model.safetensors"), "r"))
        .containsExactly("config.json", "tokenizer.json", "model.safetensors");
    assertThat(CheckpointFiles.weightIndex(List.of("config.json", "pytorch_model.bin.index.json")))
        .contains("pytorch_model.bin.index.json");
  }

  @Test
  void missingPiecesAreNamedWithWhatTheRepoHas() {
    assertThatThrownBy(() -> CheckpointFiles.select(List.of("config.json", "tokenizer.json", "tf_model.h5"), "hf:o/n@main"))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("hf:o/n@main has no weights (model.safetensors, model.safetensors.index.json, "
            + "pytorch_model.bin, pytorch_model.bin.index.json); it has [config.json, tf_model.h5, tokenizer.json].");
    assertThatThrownBy(() -> CheckpointFiles.select(List.of("config.json", "model.safetensors"), "r"))
        .hasMessageStartingWith("r has no a tokenizer (tokenizer.json, vocab.txt, vocab.json + merges.txt, or "
            + "sentencepiece.bpe.model)");
    assertThatThrownBy(() -> CheckpointFiles.select(List.of("tokenizer.json", "model.safetensors"), "r"))
        .hasMessageStartingWith("r has no config.json;");
  }

  @Test
  void shardsComeFromTheWeightMapInOrderWithoutDuplicates(@TempDir Path dir) throws Exception {
    Path index = dir.resolve("model.safetensors.index.json");
    Files.writeString(index, "{\"metadata\":{\"total_size\":10},\"weight_map\":{\"a\":\"m-1.safetensors\","
        + "\"b\":\"m-2.safetensors\",\"c\":\"m-1.safetensors\"}}");
    assertThat(CheckpointFiles.shardsOf(index, "model.safetensors.index.json"))
        .containsExactly("m-1.safetensors", "m-2.safetensors");
    Files.writeString(index, "{\"metadata\":{}}");
    assertThatThrownBy(() -> CheckpointFiles.shardsOf(index, "model.safetensors.index.json"))
        .hasMessageContaining("has no \"weight_map\" object");
  }

  @Test
  void refusesPathsThatEscapeTheSnapshot() {
    for (String bad : new String[] {"../x", "/etc/passwd", "a/../../b", "a//b", "c:\\x", "./a"}) {
      assertThatThrownBy(() -> HubCache.checkRelative(bad, "index.json")).as(bad)
          .isInstanceOf(HubException.class)
          .hasMessageContaining("index.json names file \"" + bad + "\", which is not a plain relative path");
    }
    assertThat(HubCache.checkRelative("sub/dir/model.safetensors", "x")).isEqualTo("sub/dir/model.safetensors");
  }
}
