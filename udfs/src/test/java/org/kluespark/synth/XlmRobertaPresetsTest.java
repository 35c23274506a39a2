package org.kluespark.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.pooling.Pooling;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.model.TokenizerFile;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;
import org.kluespark.tokenize.sentencepiece.XlmRobertaTokenizerJson;

/**
 * The multilingual presets at their published shapes, checked by arithmetic (no full-size conversion in tests),
 * and a shrunk XLM-R synthetic checkpoint end to end: Unigram tokenizer.json of exactly vocab_size ids,
 * sentence-transformers files, conversion, Korean text into subwords.
 */
class XlmRobertaPresetsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Published parameter counts (model cards: 118M, 278M, 560M; bge-m3 568M), with the pooler the checkpoints carry. */
  @ParameterizedTest
  @CsvSource({"multilingual-e5-small, 118e6, bert", "multilingual-e5-base, 278e6, xlm-roberta",
      "multilingual-e5-large, 560e6, xlm-roberta", "bge-m3, 568e6, xlm-roberta"})
  void presetsHaveThePublishedParameterCounts(String id, double published, String modelType) {
    ModelPreset preset = ModelPreset.byId(id);
    EncoderConfig config = preset.config();
    long parameters = EncoderWeights.expectedShapes(config, true).values().stream()
        .mapToLong(shape -> Arrays.stream(shape).reduce(1, (a, b) -> a * b)).sum();
    System.out.printf("%s: %,d parameters (published %.0fM), %,d bytes as float32%n", id, parameters, published / 1e6,
        4 * parameters);
    assertThat((double) parameters).isCloseTo(published, within(published * 0.005));
    assertThat(config.family().modelType()).isEqualTo(modelType);
    assertThat(preset.tokenizer()).isEqualTo(ModelPreset.Tokenizer.XLMR_UNIGRAM);
    assertThat(EncoderConfig.parse(config.toJson(), "config.json")).isEqualTo(config);
    boolean external = 4 * parameters > ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD;
    assertThat(external).as("float32 weights over 2 GB go to model.onnx.data").isEqualTo(published > 500e6);
  }

  @Test
  void presetShapesAndDeclarations() throws Exception {
    EncoderConfig bge = ModelPreset.BGE_M3.config();
    assertThat(bge.maxSequenceLength()).isEqualTo(8192);
    assertThat(bge.vocabSize()).isEqualTo(250002);
    assertThat(ModelPreset.MULTILINGUAL_E5_BASE.config().maxSequenceLength()).isEqualTo(512);
    assertThat(ModelPreset.MULTILINGUAL_E5_SMALL.config().vocabSize()).isEqualTo(250037);
    assertThat(ModelPreset.MULTILINGUAL_E5_SMALL.config().hasTokenTypeInput()).isTrue();
    assertThat(ModelPreset.BGE_M3.declared()).isEqualTo(SentenceModules.of(Pooling.CLS, true));
    assertThat(ModelPreset.MULTILINGUAL_E5_LARGE.declared()).isEqualTo(SentenceModules.of(Pooling.MEAN, true));
    assertThat(ModelPreset.KLUE_BERT_BASE.declared()).isNull();
    JsonNode config = JSON.readTree(ModelPreset.MULTILINGUAL_E5_BASE.config().toJson());
    assertThat(config.get("model_type").asText()).isEqualTo("xlm-roberta");
    assertThat(config.get("architectures").get(0).asText()).isEqualTo("XLMRobertaModel");
    assertThat(EncoderFamily.XLM_ROBERTA.weightPrefix()).isEqualTo("roberta.");
  }

  @Test
  void unigramTokenizerAtXlmRobertasSizeHasExactly250002Ids() {
    List<String> corpus = SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets")));
    String json = XlmRobertaTokenizerJson.build(UnigramVocabBuilder.build(corpus, 250_000), "synthetic");
    assertThat(TokenizerFile.vocabularySize(json, "synthetic")).isEqualTo(250_002);
  }

  @Test
  void shrunkXlmRobertaCheckpointConvertsAndSplitsKoreanIntoSubwords(@TempDir Path dir) throws Exception {
    EncoderConfig shrunk = new EncoderConfig(EncoderFamily.XLM_ROBERTA, 3000, 32, 2, 4, 64, "gelu", 66, 1, 1e-5, 1);
    List<String> corpus = SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets")));
    Path checkpoint = dir.resolve("checkpoint");
    SyntheticCheckpoint.Written written = SyntheticCheckpoint.write(shrunk, false, ModelPreset.Tokenizer.XLMR_UNIGRAM,
        SentenceModules.MEAN_NORMALIZED, corpus, 42, checkpoint);
    assertThat(written.vocabularyLearnt()).isGreaterThan(2900);
    assertThat(checkpoint.resolve("vocab.txt")).doesNotExist();
    String tokenizerJson = Files.readString(checkpoint.resolve("tokenizer.json"));
    assertThat(TokenizerFile.vocabularySize(tokenizerJson, "tokenizer.json")).isEqualTo(3000);
    JsonNode modules = JSON.readTree(checkpoint.resolve("modules.json").toFile());
    assertThat(modules).extracting(m -> m.get("type").asText()).containsExactly(
        "sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize");
    JsonNode pooling = JSON.readTree(checkpoint.resolve("1_Pooling/config.json").toFile());
    assertThat(pooling.get("pooling_mode_mean_tokens").asBoolean()).isTrue();
    assertThat(pooling.get("pooling_mode_cls_token").asBoolean()).isFalse();
    assertThat(pooling.get("word_embedding_dimension").asInt()).isEqualTo(32);

    CheckpointConverter.Result result = CheckpointConverter.convert(checkpoint, dir.resolve("bundle"),
        ExportOptions.defaults(), line -> { });
    assertThat(result.config()).isEqualTo(shrunk);
    assertThat(result.tokenizerBuiltFromVocab()).isFalse();
    String text = "체크인할 때 호스트가 직접 나와서 동네 맛집 지도를 건네주었습니다.";
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(
        Files.readString(dir.resolve("bundle/tokenizer.json")).getBytes(StandardCharsets.UTF_8), 64)) {
      TokenizedText single = tokenizer.encode(text, null);
      assertThat(single.ids()).doesNotContain(3L).startsWith(0L).endsWith(2L);
      assertThat(single.length()).as("subwords, not characters").isLessThan(text.replace(" ", "").length());
      TokenizedText pair = tokenizer.encode(text, "호스트가 나왔다.");
      assertThat(pair.typeIds()).containsOnly(0L);
      assertThat(Arrays.stream(pair.ids()).filter(id -> id == 2).count()).isEqualTo(3);
    }
  }
}
