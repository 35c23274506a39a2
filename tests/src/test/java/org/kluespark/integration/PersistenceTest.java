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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/** A saved stage or PipelineModel carries its model files and runs after the original bundle is gone. */
class PersistenceTest {
  @TempDir
  Path tmp;

  private static Dataset<Row> texts(SparkSession spark) {
    return spark.createDataFrame(List.of(
            RowFactory.create("s1", "국립국어원은 표준어 규정을 관리한다.", "표준어는 국립국어원이 관리한다."),
            RowFactory.create("s2", "The pipeline was saved and loaded.", "It loads elsewhere."),
            RowFactory.create("s3", null, "짝 문장만 있다.")),
        new StructType().add("id", DataTypes.StringType).add("a", DataTypes.StringType).add("b", DataTypes.StringType));
  }

  @Test
  void savedPipelineLoadsInANewSessionAfterTheModelDirectoryIsDeleted() throws IOException {
    Path bundle = Files.createDirectories(tmp.resolve("my-model"));
    for (String file : new String[] {"model.onnx", "tokenizer.json", "config.json"}) {
      Files.copy(TestModels.minilmDir().resolve(file), bundle.resolve(file));
    }
    TextEmbedder stage = new TextEmbedder().setModelPath(bundle.toString()).setInputCol("a").setPairCol("b")
        .setPooling("cls").setNormalize(true).setMaxSeqLength(64).setBatchSize(2)
        .setSequenceOutputCol("tokens");
    SparkSession spark = SparkTestSession.get();
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {stage}).fit(texts(spark));
    List<Row> before = model.transform(texts(spark)).collectAsList();
    String saved = tmp.resolve("saved-pipeline").toString();
    model.write().overwrite().save(saved);

    deleteRecursively(bundle);
    spark.stop();
    SparkSession fresh = SparkTestSession.get();
    assertThat(fresh).isNotSameAs(spark);

    PipelineModel loaded = PipelineModel.load(saved);
    TextEmbedder loadedStage = (TextEmbedder) loaded.stages()[0];
    assertThat(loadedStage.uid()).isEqualTo(stage.uid());
    assertThat(loadedStage.getModelPath()).startsWith(saved).endsWith("model");
    assertThat(loadedStage.getPairCol()).isEqualTo("b");
    assertThat(loadedStage.getPooling()).isEqualTo("cls");
    assertThat(loadedStage.getMaxSeqLength()).isEqualTo(64);
    assertThat(loadedStage.getSequenceOutputCol()).isEqualTo("tokens");
    List<Row> after = loaded.transform(texts(fresh)).collectAsList();

    assertThat(after).hasSize(3);
    for (int i = 0; i < 3; i++) {
      float[] want = TestRows.vector(before.get(i), "pooled_output");
      float[] got = TestRows.vector(after.get(i), "pooled_output");
      if (want == null) {
        assertThat(got).isNull();
      } else {
        assertThat(got).containsExactly(want);
        assertThat(TestRows.maxAbsDiff(TestRows.matrix(after.get(i), "tokens"),
            TestRows.matrix(before.get(i), "tokens"))).isZero();
      }
    }
  }

  @Test
  void singleStageSavesAndLoads() throws IOException {
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setInputCol("a")
        .setOutputType("vector");
    String path = tmp.resolve("stage").toString();
    stage.save(path);
    TextEmbedder loaded = TextEmbedder.load(path);
    assertThat(loaded.getOutputType()).isEqualTo("vector");
    assertThat(Files.isRegularFile(Path.of(path, "model", "model.onnx"))).isTrue();
    assertThat(Files.isRegularFile(Path.of(path, "model", "tokenizer.json"))).isTrue();
    Row row = loaded.transform(texts(SparkTestSession.get())).first();
    assertThat(TestRows.vector(row, "pooled_output")).hasSize(384);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
    assertThat(dir).doesNotExist();
  }
}
