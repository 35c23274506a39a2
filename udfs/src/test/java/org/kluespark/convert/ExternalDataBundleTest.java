package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * A bundle whose weights live in ONNX external data ({@code model.onnx.data}; forced here with a 1 KB
 * threshold, used for real above 2 GB) loads, embeds exactly as the same model with inline weights, and
 * a saved pipeline carries the data file along.
 */
class ExternalDataBundleTest {
  static final EncoderConfig SMALL = new EncoderConfig(EncoderFamily.BERT, 3000, 32, 2, 4, 64, "gelu", 64, 2, 1e-12, 0);

  @TempDir Path tmp;

  @Test
  void externalDataBundleEmbedsLikeTheInlineOneAndSurvivesSaveAndLoad() throws IOException {
    Path checkpoint = tmp.resolve("checkpoint");
    SyntheticCheckpoint.write(SMALL, false,
        SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets"))), 5, checkpoint);
    Path inline = tmp.resolve("inline");
    Path external = tmp.resolve("external");
    assertThat(CheckpointConverter.convert(checkpoint, inline, ExportOptions.defaults(), line -> { }).externalData()).isFalse();
    assertThat(CheckpointConverter.convert(checkpoint, external, ExportOptions.defaults().withExternalDataThreshold(1024),
        line -> { }).externalData()).isTrue();

    ModelBundle loaded = ModelBundleLoader.load(external.toString(), new Configuration());
    assertThat(loaded.externalData()).isNotNull();
    assertThat(loaded.externalData().length()).isEqualTo(Files.size(external.resolve("model.onnx.data")));
    assertThat(loaded.fingerprint()).isNotEqualTo(ModelBundleLoader.load(inline.toString(), new Configuration()).fingerprint());

    SparkSession spark = SparkTestSession.get();
    List<Row> expected = embed(new TextEmbedder().setModelPath(inline.toString()), spark);
    TextEmbedder stage = new TextEmbedder().setModelPath(external.toString());
    assertSameVectors(embed(stage, spark), expected);

    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {configure(stage)}).fit(texts(spark));
    String saved = tmp.resolve("saved").toString();
    model.write().overwrite().save(saved);
    assertThat(Path.of(saved, "stages")).exists();
    deleteRecursively(external);
    assertSameVectors(PipelineModel.load(saved).transform(texts(spark)).orderBy("id").collectAsList(), expected);
  }

  private static TextEmbedder configure(TextEmbedder stage) {
    return stage.setInputCol("text").setSequenceOutputCol("tokens").setMaxSeqLength(32);
  }

  private static List<Row> embed(TextEmbedder stage, SparkSession spark) {
    return configure(stage).transform(texts(spark)).orderBy("id").collectAsList();
  }

  private static Dataset<Row> texts(SparkSession spark) {
    return spark.createDataFrame(List.of(
            RowFactory.create(0, "봄이 되자 동네 하천을 따라 벚꽃이 활짝 피었다."),
            RowFactory.create(1, "기차 출발 시간이 10분밖에 남지 않아서 역까지 뛰어갔다."),
            RowFactory.create(2, null)),
        new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType));
  }

  private static void assertSameVectors(List<Row> actual, List<Row> expected) {
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      float[] want = TestRows.vector(expected.get(i), "pooled_output");
      if (want == null) {
        assertThat(TestRows.vector(actual.get(i), "pooled_output")).isNull();
        continue;
      }
      assertThat(TestRows.vector(actual.get(i), "pooled_output")).containsExactly(want);
      assertThat(TestRows.maxAbsDiff(TestRows.matrix(actual.get(i), "tokens"), TestRows.matrix(expected.get(i), "tokens")))
          .isZero();
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
