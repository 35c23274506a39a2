package org.kluespark.stage;

import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.kluespark.metrics.EmbeddingCounters;

/**
 * Embeds a text column (or a pair of text columns) with a BERT-family ONNX encoder.
 *
 * <p>The driver reads and validates the model bundle once and broadcasts it; every executor JVM builds
 * one ONNX Runtime session and one tokenizer per model and shares them across its task threads. Each
 * partition is streamed in windows: rows are tokenized, sorted by length, batched, padded per batch, run
 * and put back in input order. All input columns pass through untouched; a null text gives null outputs.
 *
 * <pre>{@code
 * TextEmbedder embedder = new TextEmbedder()
 *     .setModelPath("s3a://models/klue-bert-base")
 *     .setInputCol("sentence1").setPairCol("sentence2")
 *     .setSequenceOutputCol("sequence_output");
 * Dataset<Row> out = embedder.transform(df);
 * }</pre>
 *
 * <p>With {@code encoderOutputsCol} set, each row also gets the token vectors of every encoder layer (or of
 * the {@code encoderLayers} chosen), from a model converted with its {@code hidden_states.*} outputs.
 *
 * <p>With {@code tokensCol}/{@code offsetsCol} set, each row also gets its token strings and their spans in
 * the original text, aligned 1:1 with the rows of {@code sequenceOutputCol}, e.g. to align NER labels.
 * The same tokenization, split in two stages, is {@link TextPreprocessor} followed by {@link TokenEncoder}.
 */
public class TextEmbedder extends EncoderStage<TextEmbedder> implements HasTextInput<TextEmbedder> {
  private static final long serialVersionUID = 1L;

  /**
   * The named accumulator each transform counts its rows in, batch by batch (see {@link EmbeddingCounters}
   * for the others). Executors report it in their heartbeats while tasks run, so a listener (the job's
   * progress line, the Spark UI) sees rows before any task has finished.
   */
  public static final String ROWS_ACCUMULATOR = EmbeddingCounters.ROWS;

  private final TextInputParams textInputParams;
  private final Param<String> errorCol;

  public TextEmbedder() {
    this(Identifiable$.MODULE$.randomUID("TextEmbedder"));
  }

  public TextEmbedder(String uid) {
    super(uid, ModelParams.TRUNCATING_MAX_SEQ_LENGTH_DOC);
    textInputParams = new TextInputParams(this, "embed", "embedded");
    errorCol = new Param<>(this, "errorCol", "optional string output column: when set, a row that cannot be "
        + "embedded (the tokenizer or the model fails on it alone) keeps null outputs and gets the reason here "
        + "instead of failing the job; null for every other row. Unset: such a row fails the task, naming its "
        + "partition and index", ParamCheck.nonBlank("errorCol"));
  }

  // ---- Params of its extra output (the text input is HasTextInput's; the model, batching and outputs are
  // EncoderStage's) ----

  @Override
  public TextInputParams textInputParams() {
    return textInputParams;
  }

  public Param<String> errorCol() {
    return errorCol;
  }

  public String getErrorCol() {
    return optional(errorCol);
  }

  /** Keeps rows that cannot be embedded, with null outputs and the reason in this column; see the Param. */
  public TextEmbedder setErrorCol(String value) {
    return setParam(errorCol, value);
  }

  // ---- Schema and transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    StageSchemas.requireTextColumns(schema, this);
    if (getPairCol() != null && getPairCol().equals(getInputCol())) {
      throw new IllegalArgumentException("pairCol and inputCol are both `" + getInputCol() + "`: a pair needs "
          + "two different columns; unset pairCol to embed single texts.");
    }
    return appendOutputs(schema, outputLayout());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema(), true);
    PartitionEmbedder embedder = partitionEmbedder(dataset.sparkSession().sparkContext());
    TextColumns texts = TextColumns.of(this, embedder.model(), getMaxSeqLength(), dataset.schema());
    EmbedPartitionFunction function = new EmbedPartitionFunction(embedder, texts, getInputCol(), outputLayout());
    return dataset.toDF().mapPartitions(function, Encoders.row(outSchema));
  }

  /** As the encoder stages', with this stage's instruction prefixes put before every text (the SQL functions). */
  @Override
  public PartitionEmbedder partitionEmbedder(SparkContext sc) {
    return super.partitionEmbedder(sc).withPrefixes(textPrefixes());
  }

  private OutputLayout outputLayout() {
    return outputLayout(TokenColumns.of(this), getErrorCol());
  }

  // ---- Persistence ----

  public static MLReader<TextEmbedder> read() {
    return new StageReader<>(TextEmbedder.class, TextEmbedder::new, TextEmbedder::setModelPath);
  }

  public static TextEmbedder load(String path) {
    return read().load(path);
  }
}
