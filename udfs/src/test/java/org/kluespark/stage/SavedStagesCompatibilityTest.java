package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.model.ModelBundle;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextPrefixes;

/**
 * Stages saved by the code before their shared Params were declared once (commit 2c0522d, Spark 4.0.1, fixture
 * {@code stage-fixtures/saved-2c0522d}) load with today's classes: the same uid and Param values as stages built
 * now with the same settings, and the same tokens and vectors (max-abs 0). The fixture holds the saved Params
 * metadata only; its {@code model/} folders (the bundle copy a save writes, 90 MB for MiniLM) are filled here
 * with the MiniLM files the stages were saved with, since the bundle files do not depend on the Params code.
 */
class SavedStagesCompatibilityTest {
  private static final String FIXTURE = "stage-fixtures/saved-2c0522d";

  private static SparkSession spark;
  private static Dataset<Row> texts;

  @TempDir
  static Path saved;

  @BeforeAll
  static void start() throws IOException, URISyntaxException {
    spark = SparkTestSession.get();
    StructType schema = new StructType()
        .add("id", DataTypes.IntegerType)
        .add("sentence1", DataTypes.StringType)
        .add("sentence2", DataTypes.StringType);
    texts = spark.createDataFrame(List.of(
        RowFactory.create(1, "오늘 서울은 😀 맑고 좋다.", "😀 날씨가 좋다"),
        RowFactory.create(2, "The weather is nice today.", "It is sunny."),
        RowFactory.create(3, null, "no first text"),
        RowFactory.create(4, "A long sentence about the quiet river bank. ".repeat(6), "short"),
        RowFactory.create(5, "The weather is nice today.", "It is sunny.")), schema).cache();

    Path fixture = Paths.get(SavedStagesCompatibilityTest.class.getClassLoader().getResource(FIXTURE).toURI());
    copyTree(fixture, saved);
    Path pipelineStages = saved.resolve("two-stage-pipeline/stages");
    withBundleCopy(saved.resolve("text-preprocessor"), false);
    withBundleCopy(saved.resolve("text-embedder"), true);
    withBundleCopy(pipelineStages.resolve("0_TextPreprocessor_fixture0004"), false);
    withBundleCopy(pipelineStages.resolve("1_TokenEncoder_fixture0005"), true);
  }

  @Test
  void textPreprocessorLoadsWithItsParamsAndTokenizesAsANewOne() {
    TextPreprocessor loaded = TextPreprocessor.load(saved.resolve("text-preprocessor").toString());
    TextPreprocessor now = new TextPreprocessor("TextPreprocessor_fixture0001").setModelPath(minilm())
        .setInputCol("sentence1").setPairCol("sentence2").setMaxSeqLength(32).setPadToMaxSeqLength(true)
        .setTokensCol("tokens").setOffsetsCol("offsets").setOffsetUnit("utf16").setInputMaskCol("mask");

    assertSameParams(loaded, now);
    assertThat(loaded.getOffsetUnit()).isEqualTo("utf16");
    assertThat(loaded.getInputMaskCol()).isEqualTo("mask");
    assertThat(loaded.getInputWordIdsCol()).as("a default").isEqualTo("input_word_ids");
    assertThat(loaded.textPrefixes()).as("saved before the prefixes existed: none").isEqualTo(TextPrefixes.NONE);
    List<Row> got = sorted(loaded.transform(texts));
    assertThat(got).isEqualTo(sorted(now.transform(texts)));
    Row first = got.get(0);
    assertThat(first.<Integer>getList(first.fieldIndex("mask"))).as("padded to maxSeqLength").hasSize(32);
  }

  @Test
  void textEmbedderLoadsWithItsParamsAndEmbedsAsANewOne() {
    TextEmbedder loaded = TextEmbedder.load(saved.resolve("text-embedder").toString());
    TextEmbedder now = new TextEmbedder("TextEmbedder_fixture0002").setModelPath(minilm())
        .setInputCol("sentence1").setPairCol("sentence2").setMaxSeqLength(32).setBatchSize(4).setWindowSize(16)
        .setNormalize(true).setPooling("mean").setSequenceOutputCol("sequence_output").setTokensCol("tokens")
        .setOffsetsCol("offsets").setErrorCol("error").setReuseDuplicates(false);

    assertSameParams(loaded, now);
    assertThat(loaded.getReuseDuplicates()).isFalse();
    assertThat(loaded.getOffsetUnit()).as("a default").isEqualTo("codepoint");
    assertThat(loaded.textPrefixes()).as("saved before the prefixes existed: none").isEqualTo(TextPrefixes.NONE);
    assertSameVectors(sorted(loaded.transform(texts)), sorted(now.transform(texts)), "tokens", "offsets", "error");
  }

  @Test
  void twoStagePipelineLoadsAndGivesTheVectorsOfANewOne() {
    PipelineModel loaded = PipelineModel.load(saved.resolve("two-stage-pipeline").toString());
    TextPreprocessor preprocessor = new TextPreprocessor("TextPreprocessor_fixture0004").setModelPath(minilm())
        .setInputCol("sentence1").setMaxSeqLength(24).setTokensCol("tokens");
    TokenEncoder encoder = new TokenEncoder("TokenEncoder_fixture0005").setModelPath(minilm()).setMaxSeqLength(24)
        .setBatchSize(3).setSequenceOutputCol("sequence_output");

    Transformer[] stages = loaded.stages();
    assertThat(stages).hasSize(2);
    assertSameParams(stages[0], preprocessor);
    assertSameParams(stages[1], encoder);
    Dataset<Row> expected = encoder.transform(preprocessor.transform(texts));
    assertSameVectors(sorted(loaded.transform(texts)), sorted(expected), "tokens", "input_word_ids",
        "input_mask", "input_type_ids");
  }

  /** The same class, uid and Params, each with the same value (set or default); modelPath is the saved copy. */
  private static void assertSameParams(Params loaded, Params now) {
    assertThat(loaded).isExactlyInstanceOf(now.getClass());
    assertThat(loaded.uid()).isEqualTo(now.uid());
    assertThat(Stream.of(loaded.params()).map(Param::name)).containsExactlyElementsOf(
        Stream.of(now.params()).map(Param::name).toList());
    for (Param<?> param : now.params()) {
      Param<?> same = loaded.getParam(param.name());
      assertThat(same.parent()).isEqualTo(loaded.uid());
      assertThat(same.doc()).isEqualTo(param.doc());
      assertThat(loaded.isSet(same)).as(param.name() + " set").isEqualTo(now.isSet(param));
      if (param.name().equals("modelPath")) {
        assertThat((String) loaded.getOrDefault(same)).endsWith("/" + StageWriter.MODEL_DIR);
      } else if (now.isDefined(param)) {
        assertThat(loaded.getOrDefault(same)).as(param.name()).isEqualTo(now.getOrDefault(param));
      } else {
        assertThat(loaded.isDefined(same)).as(param.name() + " defined").isFalse();
      }
    }
  }

  /** Same ids and nulls, max-abs 0 on pooled and token vectors, equal values in the other columns named. */
  private static void assertSameVectors(List<Row> got, List<Row> expected, String... exactColumns) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Row row = got.get(i);
      Row want = expected.get(i);
      assertThat(row.getInt(0)).isEqualTo(want.getInt(0));
      for (String column : exactColumns) {
        assertThat((Object) row.getAs(column)).as(column + " of id " + want.getInt(0))
            .isEqualTo(want.getAs(column));
      }
      float[] pooled = TestRows.vector(want, "pooled_output");
      if (pooled == null) {
        assertThat(row.isNullAt(row.fieldIndex("pooled_output"))).isTrue();
        continue;
      }
      assertThat(TestRows.maxAbsDiff(TestRows.vector(row, "pooled_output"), pooled)).isZero();
      assertThat(TestRows.maxAbsDiff(TestRows.matrix(row, "sequence_output"),
          TestRows.matrix(want, "sequence_output"))).isZero();
    }
    assertThat(expected.stream().filter(r -> !r.isNullAt(r.fieldIndex("pooled_output")))).hasSize(4);
  }

  private static List<Row> sorted(Dataset<Row> out) {
    return out.orderBy("id").collectAsList();
  }

  private static String minilm() {
    return TestModels.minilmDir().toString();
  }

  /** Puts back the bundle copy a save writes under {@code <stage>/model}: MiniLM's files, the tokenizer's alone. */
  private static void withBundleCopy(Path stageDir, boolean wholeBundle) throws IOException {
    Path model = Files.createDirectories(stageDir.resolve(StageWriter.MODEL_DIR));
    List<String> files = wholeBundle
        ? List.of(ModelBundle.MODEL_FILE, ModelBundle.TOKENIZER_FILE, ModelBundle.CONFIG_FILE)
        : List.of(ModelBundle.TOKENIZER_FILE, ModelBundle.CONFIG_FILE);
    for (String file : files) {
      Files.copy(TestModels.minilmDir().resolve(file), model.resolve(file));
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      paths.forEach(source -> {
        try {
          Path target = to.resolve(from.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
