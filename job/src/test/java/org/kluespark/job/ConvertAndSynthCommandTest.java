package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TorchFixtures;

/** {@code kluespark convert} and {@code kluespark synth} as a user runs them: exit codes, files, messages. */
class ConvertAndSynthCommandTest {
  @TempDir Path tmp;

  @Test
  void convertsAPyTorchCheckpointIntoABundleThatInfoAccepts() {
    Path bundle = tmp.resolve("bundle");
    CliRun convert = CliRun.of("convert", TorchFixtures.dir(TorchFixtures.TINY_ROBERTA).toString(), "--output", bundle.toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(convert.out()).contains("config: roberta, 3 layers, hidden 24").contains("tokenizer.json built from vocab.txt")
        .contains("pooling=auto uses pooler");
    assertThat(bundle.resolve("model.onnx")).exists();
    assertThat(bundle.resolve("tokenizer.json")).exists();
    assertThat(bundle.resolve("config.json")).exists();

    CliRun info = CliRun.of("info", "--model", bundle.toString(), "--max-seq-length", "16");
    assertThat(info.exitCode()).as(info.printed()).isZero();
    assertThat(info.out()).contains("token_type_ids no").contains("hidden state outputs 4").contains("pad id:                1");
  }

  @Test
  void synthesizesAShrunkMultilingualE5WithItsUnigramTokenizerAndDeclaration() {
    Path checkpoint = tmp.resolve("e5");
    CliRun synth = CliRun.of("synth", "--preset", "multilingual-e5-base", "--output", checkpoint.toString(),
        "--corpus", TestModels.repoRoot().resolve("datasets").toString(), "--vocab-size", "3000", "--hidden-size", "32",
        "--layers", "1", "--heads", "4", "--intermediate-size", "64");
    assertThat(synth.exitCode()).as(synth.printed()).isZero();
    assertThat(synth.out()).contains("xlm-roberta, 1 layers, hidden 32");
    assertThat(checkpoint.resolve("modules.json")).exists();
    assertThat(checkpoint.resolve("1_Pooling/config.json")).exists();
    assertThat(checkpoint.resolve("vocab.txt")).doesNotExist();
    Path bundle = tmp.resolve("e5-bundle");
    CliRun convert = CliRun.of("convert", checkpoint.toString(), "--output", bundle.toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    CliRun info = CliRun.of("info", "--model", bundle.toString(), "--max-seq-length", "16");
    assertThat(info.out()).contains("token_type_ids no").contains("tokenizer vocabulary:  3000")
        .contains("pad id:                1");
  }

  @Test
  void fp16HalvesTheModelAndNoHiddenStatesLeavesThemOut() throws IOException {
    String checkpoint = TorchFixtures.dir(TorchFixtures.TINY_BERT).toString();
    Path full = tmp.resolve("full");
    Path half = tmp.resolve("half");
    assertThat(CliRun.of("convert", checkpoint, "--output", full.toString()).exitCode()).isZero();
    CliRun halfRun = CliRun.of("convert", checkpoint, "--output", half.toString(), "--fp16", "--no-hidden-states");
    assertThat(halfRun.exitCode()).as(halfRun.printed()).isZero();
    assertThat(halfRun.out()).contains("(float16 weights)");
    // Weights halve; this tiny model's graph (nodes, names) is a fixed ~17 KB on top.
    assertThat((double) Files.size(half.resolve("model.onnx"))).isLessThan(0.65 * Files.size(full.resolve("model.onnx")));
    assertThat(CliRun.of("info", "--model", half.toString(), "--max-seq-length", "16").out())
        .contains("hidden state outputs 0");
  }

  @Test
  void refusesANonEmptyOutputWithoutOverwrite() throws IOException {
    Path bundle = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(bundle.resolve("notes.txt"), "mine");
    CliRun run = CliRun.of("convert", TorchFixtures.dir(TorchFixtures.TINY_BERT).toString(), "--output", bundle.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--output " + bundle + " is not empty; choose a new directory or pass --overwrite.");
    assertThat(CliRun.of("convert", TorchFixtures.dir(TorchFixtures.TINY_BERT).toString(), "--output", bundle.toString(),
        "--overwrite").exitCode()).isZero();
  }

  @Test
  void explainsAMissingCheckpointAndAnUnsupportedModelType() throws IOException {
    CliRun missing = CliRun.of("convert", tmp.resolve("nope").toString(), "--output", tmp.resolve("b").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("is not a directory. Give a HuggingFace checkpoint directory");

    Path gpt = TorchFixtures.copy(TorchFixtures.TINY_BERT, tmp.resolve("gpt"));
    Files.writeString(gpt.resolve("config.json"), Files.readString(gpt.resolve("config.json")).replace("\"bert\"", "\"gpt2\""));
    CliRun unsupported = CliRun.of("convert", gpt.toString(), "--output", tmp.resolve("b2").toString());
    assertThat(unsupported.exitCode()).isEqualTo(2);
    assertThat(unsupported.err()).contains("model_type \"gpt2\" is not supported");
  }

  @Test
  void refusesAPickleThatWouldRunCode() throws IOException {
    Path checkpoint = TorchFixtures.copy(TorchFixtures.TINY_BERT, tmp.resolve("evil"));
    Files.delete(checkpoint.resolve("model.safetensors"));
    Path malicious = TorchFixtures.dir(TorchFixtures.TINY_BERT).getParent().getParent()
        .resolve("checkpoint/malicious-system/pytorch_model.bin");
    Files.copy(malicious, checkpoint.resolve("pytorch_model.bin"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    CliRun run = CliRun.of("convert", checkpoint.toString(), "--output", tmp.resolve("b").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("refusing to load: the pickle calls posix.system, which is not a tensor");
  }

  @Test
  void synthWritesACheckpointOfAnySizeThatConverts() {
    Path checkpoint = tmp.resolve("synthetic");
    CliRun synth = CliRun.of("synth", "--family", "roberta", "--hidden-size", "32", "--layers", "2", "--heads", "4",
        "--intermediate-size", "64", "--vocab-size", "3000", "--max-positions", "66",
        "--corpus", TestModels.repoRoot().resolve("datasets").toString(), "--output", checkpoint.toString());
    assertThat(synth.exitCode()).as(synth.printed()).isZero();
    assertThat(synth.out()).contains("roberta, 2 layers, hidden 32, 4 heads, intermediate 64, vocab 3000, 64 tokens");
    for (String file : new String[] {"config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json"}) {
      assertThat(checkpoint.resolve(file)).exists();
    }
    CliRun convert = CliRun.of("convert", checkpoint.toString(), "--output", tmp.resolve("bundle").toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(convert.out()).contains("tokenizer.json copied");
  }

  @Test
  void koelectraSmallPresetShrunkSynthesizesConvertsAndPassesInfo() {
    // The preset's projection (embeddings 128 -> hidden 256) kept; one layer and a small vocabulary keep it fast.
    Path checkpoint = tmp.resolve("koelectra");
    CliRun synth = CliRun.of("synth", "--preset", "koelectra-small-v3", "--layers", "1", "--vocab-size", "3000",
        "--corpus", TestModels.repoRoot().resolve("datasets").toString(), "--output", checkpoint.toString());
    assertThat(synth.exitCode()).as(synth.printed()).isZero();
    assertThat(synth.out()).contains("electra, 1 layers, hidden 256 (embeddings 128, projected), 4 heads, "
        + "intermediate 1024, vocab 3000, 512 tokens");
    Path bundle = tmp.resolve("koelectra-bundle");
    CliRun convert = CliRun.of("convert", checkpoint.toString(), "--output", bundle.toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(convert.out()).contains("no pooler weights").contains("pooling=auto uses cls");
    CliRun info = CliRun.of("info", "--model", bundle.toString(), "--max-seq-length", "16");
    assertThat(info.exitCode()).as(info.printed()).isZero();
    assertThat(info.out()).contains("token_type_ids yes").contains("hidden state outputs 2");
  }

  @Test
  void refusesAnElectraGenerator() throws IOException {
    Path generator = TorchFixtures.copy(TorchFixtures.TINY_ELECTRA, tmp.resolve("koelectra-base-v3-generator"));
    Files.writeString(generator.resolve("config.json"), Files.readString(generator.resolve("config.json"))
        .replace("ElectraForPreTraining", "ElectraForMaskedLM"));
    CliRun run = CliRun.of("convert", generator.toString(), "--output", tmp.resolve("b").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("this is an ELECTRA generator")
        .contains("convert the discriminator of the same model instead");
  }

  @Test
  void koSrobertaIsWrittenInSentenceTransformersLayoutAndItsDeclarationReachesInfo() {
    // The preset's layout at a shrunk size (the real shape is klue/roberta-base: checked in ModelPresetTest).
    Path checkpoint = tmp.resolve("ko-sroberta");
    CliRun synth = CliRun.of("synth", "--preset", "ko-sroberta", "--hidden-size", "32", "--layers", "1", "--heads",
        "4", "--intermediate-size", "64", "--vocab-size", "1400", "--corpus",
        TestModels.repoRoot().resolve("datasets").toString(), "--output", checkpoint.toString());
    assertThat(synth.exitCode()).as(synth.printed()).isZero();
    assertThat(synth.out()).contains("sentence-transformers layout (modules.json): mean");
    assertThat(checkpoint.resolve("modules.json")).exists();
    assertThat(checkpoint.resolve("1_Pooling/config.json")).content().contains("\"pooling_mode_mean_tokens\" : true");

    Path bundle = tmp.resolve("bundle");
    CliRun convert = CliRun.of("convert", checkpoint.toString(), "--output", bundle.toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(convert.out()).contains("modules.json declares: mean\n")
        .contains("pooling=auto uses mean (declared by modules.json)");
    CliRun info = CliRun.of("info", "--model", bundle.toString(), "--max-seq-length", "16");
    assertThat(info.exitCode()).as(info.printed()).isZero();
    assertThat(info.out()).containsPattern("declared pooling: +mean \\(from modules.json\\)\n")
        .containsPattern("pooled size \\(auto\\): +32\n").contains("declared.pooling");
  }

  @Test
  void koSimCseRobertaHasNoSentenceTransformersFilesSoAutoIsThePooler() {
    Path checkpoint = tmp.resolve("kosimcse");
    CliRun synth = CliRun.of("synth", "--preset", "kosimcse-roberta", "--hidden-size", "32", "--layers", "1",
        "--heads", "4", "--intermediate-size", "64", "--vocab-size", "1400", "--corpus",
        TestModels.repoRoot().resolve("datasets").toString(), "--output", checkpoint.toString());
    assertThat(synth.exitCode()).as(synth.printed()).isZero();
    assertThat(checkpoint.resolve("modules.json")).doesNotExist();
    CliRun convert = CliRun.of("convert", checkpoint.toString(), "--output", tmp.resolve("bundle").toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(convert.out()).contains("pooling=auto uses pooler (the graph has a pooler_output; no pooling declared)");
  }

  @Test
  void synthNamesThePresetsWhenOneIsUnknown() {
    CliRun run = CliRun.of("synth", "--preset", "klue-bert-huge", "--output", tmp.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown preset \"klue-bert-huge\"; choose one of klue-bert-base, klue-roberta-small");
  }
}
