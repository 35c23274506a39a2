package org.kluespark.datasets;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of the DataFrames {@link KlueDatasets} returns: KLUE's own field names and nesting (v1.1 files),
 * plus, for STS, the flattened label columns. Nested names with a hyphen need backticks in Spark SQL:
 * {@code col("labels.`real-label`")}.
 */
public final class KlueSchemas {
  private KlueSchemas() {}

  private static final DataType STRING = DataTypes.StringType;
  private static final DataType INT = DataTypes.IntegerType;
  private static final DataType DOUBLE = DataTypes.DoubleType;
  private static final DataType STRINGS = DataTypes.createArrayType(STRING);
  private static final DataType INTS = DataTypes.createArrayType(INT);

  /** YNAT topic classification, {@code ynat-v1.1_{train,dev}.json}. */
  public static final StructType YNAT = struct(
      field("guid", STRING),
      field("title", STRING),
      field("predefined_news_category", STRING),
      field("label", STRING),
      field("annotations", struct(
          field("annotators", STRINGS),
          field("annotations", struct(
              field("first-scope", STRINGS),
              field("second-scope", STRINGS),
              field("third-scope", STRINGS))))),
      field("url", STRING),
      field("date", STRING));

  /** STS as KLUE's files have it; {@link #STS} adds the flattened labels. */
  static final StructType STS_RECORD = struct(
      field("guid", STRING),
      field("source", STRING),
      field("sentence1", STRING),
      field("sentence2", STRING),
      field("labels", struct(
          field("label", DOUBLE),
          field("real-label", DOUBLE),
          field("binary-label", INT))),
      field("annotations", struct(
          field("agreement", STRING),
          field("annotators", STRINGS),
          field("annotations", INTS))));

  /**
   * STS semantic textual similarity, {@code klue-sts-v1.1_{train,dev}.json}, then {@code label},
   * {@code real_label} and {@code binary_label}: copies of {@code labels.label}, {@code labels.real-label} and
   * {@code labels.binary-label} as plain top-level columns.
   */
  public static final StructType STS = STS_RECORD
      .add(field("label", DOUBLE))
      .add(field("real_label", DOUBLE))
      .add(field("binary_label", INT));

  /** NLI natural language inference, {@code klue-nli-v1.1_{train,dev}.json}. */
  public static final StructType NLI = struct(
      field("guid", STRING),
      field("source", STRING),
      field("premise", STRING),
      field("hypothesis", STRING),
      field("gold_label", STRING),
      field("author", STRING),
      field("label2", STRING),
      field("label3", STRING),
      field("label4", STRING),
      field("label5", STRING));

  /** NER named entity recognition, {@code klue-ner-v1.1_{train,dev}.tsv}: one row per sentence. */
  public static final StructType NER = struct(
      field("guid", STRING, false),
      field("sentence", STRING, false),
      field("tagged_sentence", STRING, false),
      field("tokens", DataTypes.createArrayType(STRING, false), false),
      field("ner_tags", DataTypes.createArrayType(STRING, false), false));

  private static final StructType ENTITY = struct(
      field("word", STRING),
      field("start_idx", INT),
      field("end_idx", INT),
      field("type", STRING));

  /** RE relation extraction, {@code klue-re-v1.1_{train,dev}.json}. */
  public static final StructType RE = struct(
      field("guid", STRING),
      field("sentence", STRING),
      field("subject_entity", ENTITY),
      field("object_entity", ENTITY),
      field("label", STRING),
      field("source", STRING));

  /** DP dependency parsing, {@code klue-dp-v1.1_{train,dev}.tsv}: one row per sentence, one array per column. */
  public static final StructType DP = struct(
      field("guid", STRING, false),
      field("sentence", STRING, false),
      field("index", DataTypes.createArrayType(INT, false), false),
      field("word_form", DataTypes.createArrayType(STRING, false), false),
      field("lemma", DataTypes.createArrayType(STRING, false), false),
      field("pos", DataTypes.createArrayType(STRING, false), false),
      field("head", DataTypes.createArrayType(INT, false), false),
      field("deprel", DataTypes.createArrayType(STRING, false), false));

  private static StructType struct(StructField... fields) {
    return DataTypes.createStructType(fields);
  }

  private static StructField field(String name, DataType type) {
    return field(name, type, true);
  }

  private static StructField field(String name, DataType type, boolean nullable) {
    return DataTypes.createStructField(name, type, nullable);
  }
}
