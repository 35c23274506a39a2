package org.kluespark.stage;

import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.kluespark.model.ModelSignature;

/**
 * Runs a BERT-family ONNX encoder on rows already tokenized, as TF Hub's encoder module takes the
 * preprocess module's output: {@code input_word_ids}, {@code input_mask} and {@code input_type_ids} columns
 * ({@code array<int>} or {@code array<bigint>}, unpadded or right-padded), typically from
 * {@link TextPreprocessor}. Outputs, Params and batching are {@link TextEmbedder}'s: rows go through the same
 * windows, length-sorted batches and session, so the two-stage pipeline gives bit-identical vectors.
 *
 * <p>Each row's real tokens are those {@code input_mask} marks (1s, then only 0s); padding is dropped before
 * batching. A null {@code input_word_ids} gives null outputs. Rows longer than {@code maxSeqLength}, ids
 * outside the model's vocabulary, or id/mask/type arrays of different lengths fail the task with a message
 * naming the column.
 */
public class TokenEncoder extends EncoderStage<TokenEncoder> implements HasIdColumns<TokenEncoder> {
  private static final long serialVersionUID = 1L;

  private final IdColumnParams idColumnParams;

  public TokenEncoder() {
    this(Identifiable$.MODULE$.randomUID("TokenEncoder"));
  }

  public TokenEncoder(String uid) {
    super(uid, "real tokens per row at most (checked against the model's positions); longer rows fail: set it "
        + "to at least the preprocessor's");
    idColumnParams = IdColumnParams.inputs(this);
  }

  // ---- Params of its input are HasIdColumns'; the model, batching and outputs are EncoderStage's ----

  @Override
  public IdColumnParams idColumnParams() {
    return idColumnParams;
  }

  // ---- Schema and transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    StageSchemas.requireIdColumn(schema, inputWordIdsCol().name(), getInputWordIdsCol());
    StageSchemas.requireIdColumn(schema, inputMaskCol().name(), getInputMaskCol());
    StageSchemas.requireIdColumn(schema, inputTypeIdsCol().name(), getInputTypeIdsCol());
    return appendOutputs(schema, outputLayout());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema(), true);
    PartitionEmbedder embedder = partitionEmbedder(dataset.sparkSession().sparkContext());
    ModelSignature signature = modelSignature();
    Integer vocabSize = signature.embeddingVocabSize() != null ? signature.embeddingVocabSize()
        : Integer.valueOf(signature.tokenizerVocabSize());
    StructType inSchema = dataset.schema();
    IdColumns ids = new IdColumns(inSchema.fieldIndex(getInputWordIdsCol()), inSchema.fieldIndex(getInputMaskCol()),
        inSchema.fieldIndex(getInputTypeIdsCol()),
        new IdColumns.IdColumnNames(getInputWordIdsCol(), getInputMaskCol(), getInputTypeIdsCol()),
        getMaxSeqLength(), vocabSize);
    EmbedPartitionFunction function = new EmbedPartitionFunction(embedder, ids, getInputWordIdsCol(), outputLayout());
    return dataset.toDF().mapPartitions(function, Encoders.row(outSchema));
  }

  private OutputLayout outputLayout() {
    return outputLayout(TokenColumns.NONE, null);
  }

  // ---- Persistence: Params plus a copy of the bundle ----

  public static MLReader<TokenEncoder> read() {
    return new StageReader<>(TokenEncoder.class, TokenEncoder::new, TokenEncoder::setModelPath);
  }

  public static TokenEncoder load(String path) {
    return read().load(path);
  }
}
