package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.ExportOptions;
import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.Pooling;
import org.kluespark.sql.KlueSqlFunctions;
import org.kluespark.sql.KlueSqlOptions;
import org.kluespark.synth.SentenceModules;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * The one pooling rule through the Spark-facing paths: TextEmbedder, TokenEncoder, the SQL functions and a saved
 * stage, on a tiny bundle that declares mean + Dense (32 → 16) + Normalize, and on the built-in minilm, which
 * declares mean + Normalize.
 */
class DeclaredPoolingStageTest {
  static final EncoderConfig TINY = new EncoderConfig(EncoderFamily.BERT, 200, 32, 1, 4, 64, "gelu", 512, 2, 1e-12, 0);

  @TempDir static Path dir;
  static String bundle;
  static SparkSession spark;
  static Dataset<Row> texts;

  @BeforeAll
  static void start() {
    Path checkpoint = dir.resolve("checkpoint");
    SyntheticCheckpoint.write(TINY, false, List.of("한국어 문장 하나", "another short line"), 5, checkpoint,
        SentenceModules.of(Pooling.MEAN, true).withDense(16, DenseLayer.Activation.TANH));
    bundle = CheckpointConverter.convert(checkpoint, dir.resolve("bundle"), ExportOptions.defaults(), line -> { })
        .bundleDir().toString();
    spark = SparkTestSession.get();
    texts = spark.createDataFrame(List.of(RowFactory.create(1, "한국어 문장"), RowFactory.create(2, "another line here"),
        RowFactory.create(3, null)), new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType));
  }

  private static TextEmbedder embedder(String model) {
    return new TextEmbedder().setModelPath(model).setInputCol("text");
  }

  private static List<float[]> vectors(Dataset<Row> out, String column) {
    return out.orderBy("id").collectAsList().stream().map(r -> TestRows.vector(r, column)).toList();
  }

  @Test
  void autoIsTheDeclaredPipelineAndAnExplicitPoolingReplacesIt() {
    TextEmbedder auto = embedder(bundle);
    assertThat(auto.resolvedPooling().width(32)).isEqualTo(16);
    assertThat(auto.transformSchema(texts.schema()).apply("pooled_output").metadata().getLong("kluespark.pooledSize"))
        .as("the schema says the Dense layer's width").isEqualTo(16);
    assertThat(org.apache.spark.ml.attribute.AttributeGroup.fromStructField(embedder(bundle).setOutputType("vector")
        .transformSchema(texts.schema()).apply("pooled_output")).size()).isEqualTo(16);
    assertThat(embedder(bundle).setPooling("cls").transformSchema(texts.schema()).apply("pooled_output").metadata()
        .getLong("kluespark.pooledSize")).isEqualTo(32);
    List<float[]> declared = vectors(auto.transform(texts), "pooled_output");
    assertThat(declared.get(0)).hasSize(16);
    assertThat(norm(declared.get(0))).isCloseTo(1.0, within(1e-6));
    assertThat(declared.get(2)).isNull();

    List<float[]> mean = vectors(embedder(bundle).setPooling("mean").transform(texts), "pooled_output");
    assertThat(mean.get(0)).as("explicit mean: no Dense, no declared normalization").hasSize(32);
    assertThat(norm(mean.get(0))).isNotCloseTo(1.0, within(1e-3));

    List<float[]> unnormalized = vectors(embedder(bundle).setNormalize(false).transform(texts), "pooled_output");
    assertThat(unnormalized.get(0)).as("explicit normalize=false keeps the declared Dense").hasSize(16);
    assertThat(norm(unnormalized.get(0))).isNotCloseTo(1.0, within(1e-3));
    for (int d = 0; d < 16; d++) {
      assertThat(unnormalized.get(0)[d] / norm(unnormalized.get(0))).isCloseTo(declared.get(0)[d], within(1e-6));
    }
  }

  @Test
  void tokenEncoderSqlAndASavedStageGiveTheSameDeclaredVectors() throws Exception {
    List<float[]> expected = vectors(embedder(bundle).transform(texts), "pooled_output");

    TextPreprocessor preprocessor = new TextPreprocessor().setModelPath(bundle).setInputCol("text");
    TokenEncoder encoder = new TokenEncoder().setModelPath(bundle);
    List<float[]> twoStage = vectors(encoder.transform(preprocessor.transform(texts.na().drop())), "pooled_output");
    assertThat(twoStage.get(0)).containsExactly(expected.get(0));
    assertThat(twoStage.get(1)).containsExactly(expected.get(1));

    KlueSqlFunctions.register(spark, KlueSqlOptions.of(bundle));
    texts.createOrReplaceTempView("declared_texts");
    List<float[]> sql = vectors(spark.sql("SELECT id, klue_embed(text) AS v FROM declared_texts"), "v");
    assertThat(sql.get(0)).containsExactly(expected.get(0));
    KlueSqlFunctions.register(spark, KlueSqlOptions.of(bundle).withNormalize(false));
    assertThat(norm(vectors(spark.sql("SELECT id, klue_embed(text) AS v FROM declared_texts"), "v").get(0)))
        .as("spark.kluespark.normalize set to false wins over the declaration").isNotCloseTo(1.0, within(1e-3));

    Path saved = dir.resolve("saved-pipeline");
    new Pipeline().setStages(new PipelineStage[] {embedder(bundle)}).fit(texts).write().save(saved.toString());
    List<float[]> loaded = vectors(PipelineModel.load(saved.toString()).transform(texts), "pooled_output");
    assertThat(loaded.get(0)).as("the saved copy carries kluespark.json and dense.safetensors")
        .containsExactly(expected.get(0));
  }

  @Test
  void minilmAutoIsMeanPlusNormalizeAsItsModulesJsonDeclares() {
    String minilm = TestModels.minilmDir().toString();
    List<float[]> auto = vectors(embedder(minilm).transform(texts), "pooled_output");
    List<float[]> meanNormalized = vectors(embedder(minilm).setPooling("mean").setNormalize(true).transform(texts),
        "pooled_output");
    List<float[]> pooler = vectors(embedder(minilm).setPooling("pooler").transform(texts), "pooled_output");
    assertThat(auto.get(0)).containsExactly(meanNormalized.get(0));
    assertThat(TestRows.maxAbsDiff(auto.get(0), pooler.get(0))).isGreaterThan(0.01);
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }
}
