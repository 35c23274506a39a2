package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.BundlePrecisionWriter;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.Precision;
import org.kluespark.precision.PrecisionOptions;
import org.kluespark.sql.KlueSqlFunctions;
import org.kluespark.sql.KlueSqlOptions;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.synth.ModelPreset;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.testing.TestVectors;

/**
 * int8 and fp16 bundles are bundles like any other: the stage runs them, a saved PipelineModel carries them and
 * reloads to identical vectors, the SQL functions take them and equal the stage, and device=cuda refuses int8
 * on the driver. MiniLM int8 (CPU); a converted klue-roberta-small shape in fp16 (ONNX Runtime's CPU provider
 * runs it with inserted casts).
 */
class PrecisionBundlesStageTest {
  @TempDir static Path tmp;
  static Path int8;
  static Path fp16;

  @BeforeAll
  static void writeBundles() {
    int8 = BundlePrecisionWriter.write(load(TestModels.minilmDir()), "minilm", tmp.resolve("minilm-int8"),
        new PrecisionOptions(Precision.INT8, false), line -> {}).bundleDir();
    fp16 = BundlePrecisionWriter.write(load(TestModels.syntheticBundle(ModelPreset.KLUE_ROBERTA_SMALL)),
        "klue-roberta-small", tmp.resolve("roberta-small-fp16"), new PrecisionOptions(Precision.FP16, false), line -> {}).bundleDir();
  }

  @Test
  void bundlesSayWhatTheyAre() {
    assertThat(load(int8).precision()).isEqualTo(Precision.INT8);
    assertThat(load(int8).manifest()).hasValueSatisfying(m -> {
      assertThat(m.precision()).isEqualTo(Precision.INT8);
      assertThat(m.source().name()).isEqualTo("minilm");
    });
    assertThat(load(fp16).precision()).isEqualTo(Precision.FP16);
  }

  @Test
  void int8PipelineReloadsToIdenticalVectorsAndStaysCloseToFloat32() throws Exception {
    List<Row> int8Rows = savedAndReloaded(int8);
    List<Row> fp32Rows = stage(TestModels.minilmDir()).transform(texts()).collectAsList();
    for (int i = 0; i < int8Rows.size(); i++) {
      if (!int8Rows.get(i).isNullAt(int8Rows.get(i).fieldIndex("pooled_output"))) {
        assertThat(TestVectors.cosine(TestRows.vector(int8Rows.get(i), "pooled_output"), TestRows.vector(fp32Rows.get(i), "pooled_output")))
            .as("row %d int8 vs fp32", i).isGreaterThan(0.97);
      }
    }
  }

  @Test
  void fp16PipelineReloadsToIdenticalVectors() throws Exception {
    savedAndReloaded(fp16);
  }

  @Test
  void sqlFunctionsTakeAnInt8BundleAndEqualTheStage() {
    SparkSession spark = SparkTestSession.get();
    texts().createOrReplaceTempView("precision_texts");
    KlueSqlFunctions.register(spark, KlueSqlOptions.of(int8.toString()).withBatchSize(4));
    List<Row> sql = spark.sql("SELECT klue_embed(a) AS v FROM precision_texts").collectAsList();
    List<Row> staged = new TextEmbedder().setModelPath(int8.toString()).setInputCol("a").setBatchSize(4)
        .transform(texts()).collectAsList();
    for (int i = 0; i < sql.size(); i++) {
      if (sql.get(i).isNullAt(0)) {
        assertThat(staged.get(i).isNullAt(staged.get(i).fieldIndex("pooled_output"))).isTrue();
      } else {
        assertThat(TestRows.vector(sql.get(i), "v")).as("row %d", i)
            .containsExactly(TestRows.vector(staged.get(i), "pooled_output"));
      }
    }
  }

  @Test
  void cudaRefusesAnInt8BundleOnTheDriver() {
    assertThatThrownBy(() -> stage(int8).setDevice("cuda").transform(texts()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device=cuda with an int8 bundle")
        .hasMessageContaining("--precision fp16");
  }

  private static List<Row> savedAndReloaded(Path bundle) throws java.io.IOException {
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {stage(bundle)}).fit(texts());
    List<Row> before = model.transform(texts()).collectAsList();
    String saved = tmp.resolve("saved-" + bundle.getFileName()).toString();
    model.write().overwrite().save(saved);
    List<Row> after = PipelineModel.load(saved).transform(texts()).collectAsList();
    assertThat(after).hasSameSizeAs(before);
    for (int i = 0; i < before.size(); i++) {
      if (!before.get(i).isNullAt(before.get(i).fieldIndex("pooled_output"))) {
        assertThat(TestRows.vector(after.get(i), "pooled_output")).as("row %d", i)
            .containsExactly(TestRows.vector(before.get(i), "pooled_output"));
      }
    }
    assertThat(load(Path.of(saved, "stages").toFile().listFiles()[0].toPath().resolve("model")).precision())
        .isEqualTo(load(bundle).precision());
    return before;
  }

  private static TextEmbedder stage(Path bundle) {
    return new TextEmbedder().setModelPath(bundle.toString()).setInputCol("a").setPairCol("b").setPooling("mean")
        .setMaxSeqLength(64).setBatchSize(4);
  }

  private static Dataset<Row> texts() {
    return ConvertedModelStageTest.texts(SparkTestSession.get());
  }

  private static ModelBundle load(Path dir) {
    return ModelBundleLoader.load(dir.toUri().toString(), new Configuration());
  }

}
