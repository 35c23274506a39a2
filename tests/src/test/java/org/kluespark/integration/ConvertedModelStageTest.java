package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferenceOutput;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/**
 * The stage end to end on checkpoints converted in Java at the published shapes of klue/bert-base and
 * klue/roberta-small (seeded random weights, vocabulary learnt from datasets/): every output column has
 * the right shape, and the stage's vectors equal the float64 reference forward pass of the same
 * weights on the same token ids (max-abs ≤ 1e-4). The texts are lines of datasets/sentences.txt, the
 * corpus the synthetic vocabulary was learnt from, so they must tokenize into subwords without [UNK].
 */
class ConvertedModelStageTest {
  static final double TOLERANCE = 1e-4;

  @TempDir Path tmp;

  static Dataset<Row> texts(SparkSession spark) {
    return spark.createDataFrame(List.of(
            RowFactory.create(0, "아침부터 하늘이 잔뜩 흐리더니 오후에는 결국 소나기가 쏟아졌다.",
                "오늘은 미세먼지 농도가 높으니 외출할 때 마스크를 꼭 챙기세요."),
            RowFactory.create(1, "봄이 되자 동네 하천을 따라 벚꽃이 활짝 피었다.",
                "이번 여름휴가에는 강원도 바닷가 마을에서 일주일 동안 머물 계획이다."),
            RowFactory.create(2, null, null),
            RowFactory.create(3, "기차 출발 시간이 10분밖에 남지 않아서 역까지 뛰어갔다.", "봄이 되자 벚꽃이 피었다.")),
        new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.StringType).add("b", DataTypes.StringType));
  }

  @ParameterizedTest
  @EnumSource(value = ModelPreset.class, names = {"KLUE_BERT_BASE", "KLUE_ROBERTA_SMALL"})
  void everyOutputHasItsShapeAndEqualsTheReference(ModelPreset preset) throws Exception {
    Path bundle = TestModels.syntheticBundle(preset);
    EncoderConfig config = preset.config();
    TextEmbedder stage = new TextEmbedder().setModelPath(bundle.toString()).setInputCol("a").setPairCol("b")
        .setMaxSeqLength(64).setBatchSize(3).setSequenceOutputCol("tokens").setEncoderOutputsCol("layers");
    List<Row> rows = stage.transform(texts(SparkTestSession.get())).orderBy("id").collectAsList();
    assertThat(rows).hasSize(4);

    // Reference: the same weights (regenerated from the seed) on the ids the bundle's tokenizer gives.
    EncoderWeights weights = EncoderWeights.of(config, SyntheticWeights.generate(config, 42, true), "synthetic");
    double maxPooled = 0;
    double maxTokens = 0;
    double maxLayers = 0;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(Files.readAllBytes(bundle.resolve("tokenizer.json")), 64)) {
      for (Row row : rows) {
        if (row.isNullAt(1)) {
          assertThat(row.isNullAt(row.fieldIndex("pooled_output"))).isTrue();
          assertThat(row.isNullAt(row.fieldIndex("layers"))).isTrue();
          continue;
        }
        TokenizedText tokens = tokenizer.encode(row.getString(1), row.isNullAt(2) ? null : row.getString(2));
        assertThat(tokens.ids()).as("Korean text must tokenize without [UNK]").doesNotContain(unkId(bundle));
        assertThat(tokens.length()).as("subwords, not characters").isLessThan(row.getString(1).length());
        long[][] mask = {java.util.Arrays.stream(tokens.ids()).map(id -> 1).toArray()};
        ReferenceOutput expected = ReferenceEncoder.forward(weights, new long[][] {tokens.ids()}, mask,
            config.hasTokenTypeInput() ? new long[][] {tokens.typeIds()} : null);

        float[] pooled = TestRows.vector(row, "pooled_output");
        float[][] sequence = TestRows.matrix(row, "tokens");
        float[][][] layers = TestRows.layers(row, "layers");
        assertThat(pooled).hasSize(config.hiddenSize());
        assertThat(sequence.length).isEqualTo(tokens.length());
        assertThat(sequence[0]).hasSize(config.hiddenSize());
        assertThat(layers.length).isEqualTo(config.numLayers() + 1);
        assertThat(TestRows.maxAbsDiff(layers[config.numLayers()], sequence)).isZero();
        maxPooled = Math.max(maxPooled, maxAbs(pooled, expected.pooler()[0]));
        maxTokens = Math.max(maxTokens, maxAbs(sequence, expected.lastHiddenState()[0]));
        for (int layer = 0; layer <= config.numLayers(); layer++) {
          maxLayers = Math.max(maxLayers, maxAbs(layers[layer], expected.hiddenStates().get(layer)[0]));
        }
      }
    }
    System.out.printf("%s stage vs float64 reference: pooled %.2e, sequence %.2e, encoder outputs %.2e%n",
        preset.id(), maxPooled, maxTokens, maxLayers);
    assertThat(maxPooled).isLessThanOrEqualTo(TOLERANCE);
    assertThat(maxTokens).isLessThanOrEqualTo(TOLERANCE);
    assertThat(maxLayers).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void savedPipelineOfAConvertedModelIsSelfContained() throws IOException {
    Path bundle = tmp.resolve("roberta-copy");
    copyDirectory(TestModels.syntheticBundle(ModelPreset.KLUE_ROBERTA_SMALL), bundle);
    TextEmbedder stage = new TextEmbedder().setModelPath(bundle.toString()).setInputCol("a").setPairCol("b")
        .setMaxSeqLength(32).setSequenceOutputCol("tokens").setEncoderOutputsCol("layers").setEncoderLayers(-1, 0);
    SparkSession spark = SparkTestSession.get();
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {stage}).fit(texts(spark));
    List<Row> before = model.transform(texts(spark)).orderBy("id").collectAsList();
    String saved = tmp.resolve("saved").toString();
    model.write().overwrite().save(saved);
    deleteRecursively(bundle);

    List<Row> after = PipelineModel.load(saved).transform(texts(spark)).orderBy("id").collectAsList();
    assertThat(after).hasSize(4);
    for (int i = 0; i < 4; i++) {
      if (before.get(i).isNullAt(1)) {
        continue;
      }
      assertThat(TestRows.vector(after.get(i), "pooled_output")).containsExactly(TestRows.vector(before.get(i), "pooled_output"));
      assertThat(TestRows.maxAbsDiff(TestRows.layers(after.get(i), "layers"), TestRows.layers(before.get(i), "layers"))).isZero();
      assertThat(TestRows.layers(after.get(i), "layers")).hasNumberOfRows(2);
    }
  }

  private static long unkId(Path bundle) throws IOException {
    List<String> vocab = Files.readAllLines(bundle.getParent().resolve("checkpoint/vocab.txt"));
    return vocab.indexOf("[UNK]");
  }

  private static double maxAbs(float[] actual, double[] expected) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    return max;
  }

  private static double maxAbs(float[][] actual, double[][] expected) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, maxAbs(actual[i], expected[i]));
    }
    return max;
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
