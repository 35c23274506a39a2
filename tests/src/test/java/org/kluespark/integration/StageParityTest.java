package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * The stage against the independent reference loop ({@link ReferenceEncoder}): pooled vectors in every
 * pooling mode and the trimmed sequence output, for single texts and pairs, max-abs ≤ 1e-5.
 *
 * <p>The stage sorts rows by length and pads each batch of 8 to its longest row; the reference runs each
 * text alone without padding, so this also shows padding and batching do not change results.
 */
class StageParityTest {
  private static final double TOLERANCE = 1e-5;
  private static final int MAX_SEQ_LENGTH = 128;
  private static final int KLUE_PAIRS = 500; // 1,000 sentences

  private static SparkSession spark;
  private static ReferenceEncoder reference;
  // Reference outputs by text (and pair), computed once and reused by every pooling mode.
  private static final Map<List<String>, ReferenceEncoder.Output> REFERENCE = new HashMap<>();

  @BeforeAll
  static void start() throws IOException, OrtException {
    spark = SparkTestSession.get();
    reference = new ReferenceEncoder(TestModels.minilmDir(), MAX_SEQ_LENGTH);
  }

  @AfterAll
  static void stop() throws OrtException {
    reference.close();
  }

  @ParameterizedTest(name = "datasets/ samples, pooling={0}")
  @ValueSource(strings = {"pooler", "cls", "mean", "max"})
  void samplesMatchTheReference(String pooling) throws OrtException {
    ParityCorpus.Texts samples = ParityCorpus.samples();
    checkSentences("samples", samples.sentences(), pooling, false);
    checkPairs("samples", samples.pairs(), pooling);
  }

  @ParameterizedTest(name = "1,000 KLUE STS dev sentences + 500 pairs, pooling={0}")
  @ValueSource(strings = {"pooler", "cls", "mean", "max"})
  void klueSentencesMatchTheReference(String pooling) throws OrtException {
    ParityCorpus.Texts klue = ParityCorpus.klueSts(KLUE_PAIRS);
    assumeTrue(klue != null, ParityCorpus.sharedKlueHint());
    checkSentences("klue", klue.sentences(), pooling, false);
    checkPairs("klue", klue.pairs(), pooling);
  }

  @ParameterizedTest(name = "normalized, pooling={0}")
  @ValueSource(strings = {"mean", "pooler"})
  void normalizedVectorsMatchTheNormalizedReference(String pooling) throws OrtException {
    checkSentences("samples-l2", ParityCorpus.samples().sentences(), pooling, true);
  }

  private void checkSentences(String label, List<String> sentences, String pooling, boolean normalize)
      throws OrtException {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      rows.add(RowFactory.create((long) i, sentences.get(i), null));
    }
    List<Row> out = embed(rows, pooling, normalize, false);
    List<ReferenceEncoder.Output> expected = new ArrayList<>();
    for (String sentence : sentences) {
      expected.add(referenceOf(sentence, null));
    }
    compare(label + " sentences", out, expected, pooling, normalize);
  }

  private void checkPairs(String label, List<String[]> pairs, String pooling) throws OrtException {
    List<Row> rows = new ArrayList<>();
    List<ReferenceEncoder.Output> expected = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      rows.add(RowFactory.create((long) i, pairs.get(i)[0], pairs.get(i)[1]));
      expected.add(referenceOf(pairs.get(i)[0], pairs.get(i)[1]));
    }
    compare(label + " pairs", embed(rows, pooling, false, true), expected, pooling, false);
  }

  private static ReferenceEncoder.Output referenceOf(String text, String pair) throws OrtException {
    List<String> key = Arrays.asList(text, pair);
    ReferenceEncoder.Output output = REFERENCE.get(key);
    if (output == null) {
      output = reference.encode(text, pair);
      REFERENCE.put(key, output);
    }
    return output;
  }

  private List<Row> embed(List<Row> rows, String pooling, boolean normalize, boolean pairs) {
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("text", DataTypes.StringType)
        .add("pair", DataTypes.StringType);
    Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(3);
    TextEmbedder stage = new TextEmbedder()
        .setModelPath(TestModels.minilmDir().toString())
        .setMaxSeqLength(MAX_SEQ_LENGTH)
        .setBatchSize(8)
        .setPooling(pooling)
        .setNormalize(normalize)
        .setSequenceOutputCol("sequence_output");
    if (pairs) {
      stage.setPairCol("pair");
    }
    return stage.transform(input).orderBy("id").collectAsList();
  }

  private static void compare(String label, List<Row> out, List<ReferenceEncoder.Output> expected, String pooling,
      boolean normalize) {
    assertThat(out).hasSize(expected.size());
    double pooledMax = 0;
    double sequenceMax = 0;
    for (int i = 0; i < expected.size(); i++) {
      Row row = out.get(i);
      assertThat(row.getLong(0)).isEqualTo(i);
      float[] want = expected.get(i).pooled(pooling);
      pooledMax = Math.max(pooledMax, TestRows.maxAbsDiff(
          TestRows.vector(row, "pooled_output"), normalize ? ReferenceEncoder.l2(want) : want));
      sequenceMax = Math.max(sequenceMax, TestRows.maxAbsDiff(
          TestRows.matrix(row, "sequence_output"), expected.get(i).tokens()));
    }
    System.out.printf("PARITY %-20s pooling=%-6s normalize=%-5s rows=%5d pooled_max_abs=%.3e sequence_max_abs=%.3e%n",
        label, pooling, normalize, expected.size(), pooledMax, sequenceMax);
    assertThat(pooledMax).as(label + " pooled max-abs").isLessThanOrEqualTo(TOLERANCE);
    assertThat(sequenceMax).as(label + " sequence max-abs").isLessThanOrEqualTo(TOLERANCE);
  }
}
