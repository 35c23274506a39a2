package org.kluespark.datasets;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Loads KLUE's published files (the v1.1 formats of {@code KLUE-benchmark/KLUE}) into DataFrames with KLUE's
 * field names; the schemas are in {@link KlueSchemas}, the formats in {@code datasets/README.md}.
 *
 * <p>{@code path} is a file, a directory (every file in it) or a glob, on any Hadoop FileSystem; {@code .gz} and
 * other Hadoop codecs are decompressed by extension. JSON files may be KLUE's JSON array or JSON Lines. Each
 * file is parsed whole by one task (as Spark's {@code multiLine} JSON reader does), in file order, so rows keep
 * the file's order; {@code repartition} before heavy work on a single big file.
 *
 * <p>Loading is lazy like any Spark read, except that a path matching nothing fails at once. A file that breaks
 * its format fails the first action with a {@link KlueFormatException} naming the file and the line, e.g.
 * {@code file:/data/klue-dp-v1.1_dev.tsv, line 42: HEAD 9 points past the last word of ...}; fields a record
 * lacks are null, except the ones named below as required.
 */
public final class KlueDatasets {
  private KlueDatasets() {}

  /** YNAT ({@link KlueSchemas#YNAT}); every record needs {@code guid} and {@code title}. */
  public static Dataset<Row> ynat(SparkSession spark, String path) {
    return KlueFiles.load(spark, path, "YNAT",
        new JsonRecordParser("YNAT", KlueSchemas.YNAT, List.of("guid", "title")), KlueSchemas.YNAT);
  }

  /**
   * STS ({@link KlueSchemas#STS}): KLUE's fields plus {@code label}, {@code real_label}, {@code binary_label}
   * copied out of {@code labels}; every record needs {@code guid}, {@code sentence1} and {@code sentence2}.
   */
  public static Dataset<Row> sts(SparkSession spark, String path) {
    Dataset<Row> records = KlueFiles.load(spark, path, "STS",
        new JsonRecordParser("STS", KlueSchemas.STS_RECORD, List.of("guid", "sentence1", "sentence2")),
        KlueSchemas.STS_RECORD);
    return records
        .withColumn("label", col("labels.label"))
        .withColumn("real_label", col("labels.`real-label`"))
        .withColumn("binary_label", col("labels.`binary-label`"));
  }

  /** NLI ({@link KlueSchemas#NLI}); every record needs {@code guid}, {@code premise} and {@code hypothesis}. */
  public static Dataset<Row> nli(SparkSession spark, String path) {
    return KlueFiles.load(spark, path, "NLI",
        new JsonRecordParser("NLI", KlueSchemas.NLI, List.of("guid", "premise", "hypothesis")), KlueSchemas.NLI);
  }

  /**
   * NER ({@link KlueSchemas#NER}): one row per sentence with {@code sentence} as plain text (the characters
   * joined), {@code tagged_sentence} as the header has it ({@code <부산:LC>} markup), and the parallel arrays
   * {@code tokens} (characters, spaces included) and {@code ner_tags} (BIO tags as strings).
   */
  public static Dataset<Row> ner(SparkSession spark, String path) {
    return KlueFiles.load(spark, path, "NER", new NerTsvParser(), KlueSchemas.NER);
  }

  /**
   * RE ({@link KlueSchemas#RE}); every record needs {@code guid}, {@code sentence}, {@code subject_entity} and
   * {@code object_entity}. Entity offsets are KLUE's: character indices into {@code sentence}, end inclusive.
   */
  public static Dataset<Row> re(SparkSession spark, String path) {
    return KlueFiles.load(spark, path, "RE",
        new JsonRecordParser("RE", KlueSchemas.RE, List.of("guid", "sentence", "subject_entity", "object_entity")),
        KlueSchemas.RE);
  }

  /**
   * DP ({@link KlueSchemas#DP}): one row per sentence, the columns of its word lines as parallel arrays
   * {@code index}, {@code word_form}, {@code lemma}, {@code pos}, {@code head}, {@code deprel}.
   */
  public static Dataset<Row> dp(SparkSession spark, String path) {
    return KlueFiles.load(spark, path, "DP", new DpTsvParser(), KlueSchemas.DP);
  }
}
