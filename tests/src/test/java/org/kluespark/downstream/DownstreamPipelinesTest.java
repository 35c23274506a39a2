package org.kluespark.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.datasets.KlueDatasets;
import org.kluespark.examples.KlueMetrics;
import org.kluespark.examples.NerTagging;
import org.kluespark.examples.NliClassification;
import org.kluespark.examples.StsSimilarity;
import org.kluespark.examples.TopicClassification;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/**
 * The KLUE downstream examples end to end on MiniLM and the samples (and the real STS/NLI dev sets when
 * {@code ../shared/klue} has them). MiniLM is an English model, so the scores are low: the tests check that
 * each pipeline runs and that its metric is computed from its predictions, and print the scores.
 */
class DownstreamPipelinesTest {
  @TempDir
  Path tmp;

  private static String model() {
    return TestModels.minilmDir().toString();
  }

  private static String sample(String file) {
    return TestModels.repoRoot().resolve("datasets").resolve(file).toString();
  }

  @Test
  void topicClassificationFitsScoresAndReloadsToIdenticalPredictions() throws java.io.IOException {
    SparkSession spark = SparkTestSession.get();
    String ynat = sample("klue-ynat-sample.json");
    TopicClassification.Result result = TopicClassification.run(spark, model(), ynat, ynat, 0);
    System.out.printf("YNAT sample (in-sample, 14 headlines, 7 topics): macro F1 %.4f%n", result.macroF1());
    assertThat(result.trainRows()).isEqualTo(14);
    assertThat(result.gold()).hasSize(14).containsAll(List.of("IT과학", "경제", "사회", "생활문화", "세계", "스포츠", "정치"));
    assertThat(result.predicted()).hasSize(14).doesNotContainNull();
    assertThat(result.macroF1()).isEqualTo(KlueMetrics.macroF1(result.gold(), result.predicted())).isBetween(0.0, 1.0);

    String saved = tmp.resolve("ynat-pipeline").toString();
    result.model().write().overwrite().save(saved);
    PipelineModel loaded = PipelineModel.load(saved);
    Dataset<Row> rows = KlueDatasets.ynat(spark, ynat);
    assertThat(TopicClassification.predictions(loaded, rows)).isEqualTo(TopicClassification.predictions(result.model(), rows));
  }

  @Test
  void stsPearsonOnTheSample() {
    StsSimilarity.Result result = StsSimilarity.run(SparkTestSession.get(), model(), sample("klue-sts-sample.json"), 0);
    System.out.printf("STS sample (30 pairs): Pearson %.4f%n", result.pearson());
    assertThat(result.cosine()).hasSize(30);
    assertThat(result.realLabel()).hasSize(30);
    assertThat(java.util.Arrays.stream(result.realLabel())).allMatch(label -> label >= 0 && label <= 5);
    assertThat(result.pearson()).isEqualTo(KlueMetrics.pearson(result.cosine(), result.realLabel()))
        .isBetween(-1.0, 1.0);
  }

  @Test
  void stsPearsonOnTheRealDevSet() {
    Path dev = TestModels.sharedKlue().resolve("klue-sts-v1.1_dev.json");
    assumeTrue(Files.isRegularFile(dev), "skipped: " + dev + " is absent (see datasets/README.md, Getting the real data)");
    StsSimilarity.Result result = StsSimilarity.run(SparkTestSession.get(), model(), dev.toString(), 0);
    System.out.printf("STS dev (519 pairs), MiniLM: Pearson %.4f%n", result.pearson());
    assertThat(result.cosine()).hasSize(519);
    assertThat(result.pearson()).isCloseTo(KlueMetrics.pearson(result.cosine(), result.realLabel()), within(0.0))
        .isBetween(-1.0, 1.0);
  }

  @Test
  void nliAccuracyOnASplitOfTheDevSet() {
    Path dev = TestModels.sharedKlue().resolve("klue-nli-v1.1_dev.json");
    boolean real = Files.isRegularFile(dev);
    if (!real) {
      System.out.println("NLI: " + dev + " is absent, using the 30-pair sample (see datasets/README.md)");
    }
    // 300 of the 3,000 dev pairs keep the test short on 2 cores; the example takes --limit 0 for all.
    int limit = real ? 300 : 0;
    NliClassification.Result result = NliClassification.run(SparkTestSession.get(), model(),
        real ? dev.toString() : sample("klue-nli-sample.json"), null, limit);
    System.out.printf("NLI %s: accuracy %.4f on %d held-out pairs (trained on %d)%n", real ? "dev[0:300]" : "sample",
        result.accuracy(), result.gold().size(), result.trainRows());
    assertThat(result.trainRows() + result.gold().size()).isEqualTo(real ? 300 : 30);
    assertThat(result.gold()).isNotEmpty().allMatch(l -> List.of("entailment", "neutral", "contradiction").contains(l));
    assertThat(result.predicted()).allMatch(l -> List.of("entailment", "neutral", "contradiction").contains(l));
    assertThat(result.accuracy()).isEqualTo(KlueMetrics.accuracy(result.gold(), result.predicted()));
  }

  @Test
  void nerEntityF1OnASplitOfTheSample() {
    NerTagging.Result result = NerTagging.run(SparkTestSession.get(), model(), sample("klue-ner-sample.tsv"), null, 0);
    KlueMetrics.EntityScores scores = result.scores();
    System.out.printf("NER sample (held-out %d sentences, trained on %d tokens): entity F1 %.4f (P %.4f, R %.4f, "
        + "%d gold, %d predicted, %d correct)%n", result.gold().size(), result.trainTokens(), scores.f1(),
        scores.precision(), scores.recall(), scores.gold(), scores.predicted(), scores.correct());
    assertThat(result.gold()).isNotEmpty().hasSameSizeAs(result.predicted());
    for (int s = 0; s < result.gold().size(); s++) {
      assertThat(result.predicted().get(s)).hasSameSizeAs(result.gold().get(s)).doesNotContainNull();
    }
    assertThat(scores.gold()).isPositive();
    assertThat(scores).isEqualTo(KlueMetrics.entityF1(result.gold(), result.predicted()));
    assertThat(scores.f1()).isBetween(0.0, 1.0);
  }
}
