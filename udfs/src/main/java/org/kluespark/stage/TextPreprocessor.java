package org.kluespark.stage;

import org.apache.spark.SparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.kluespark.model.TokenizerBundle;
import org.kluespark.tokenize.OffsetUnit;

/**
 * Tokenizes a text column (or a pair of text columns) into the inputs of a BERT encoder, as TF Hub's
 * {@code *_preprocess} module does: {@code input_word_ids}, {@code input_mask} and {@code input_type_ids}.
 * {@link TokenEncoder} turns them into vectors; {@code TextPreprocessor → TokenEncoder} gives exactly what
 * {@link TextEmbedder} gives in one stage, since both tokenize with the same tokenizer, special tokens and
 * "longest first" truncation to {@code maxSeqLength}.
 *
 * <p>Only the bundle's {@code tokenizer.json} (and {@code config.json}, to check {@code maxSeqLength}) is
 * read; {@code model.onnx} need not exist. The id columns are {@code array<int>} like TF Hub's int32, but
 * each row keeps only its real tokens: Spark stores variable-length arrays anyway, and the encoder pads each
 * batch only to its own longest row. {@code padToMaxSeqLength} pads every row to {@code maxSeqLength}
 * (pad id, mask 0, type 0) for consumers that need fixed shapes. A null text, or a null second text of a
 * pair, gives null outputs; all input columns pass through.
 *
 * <pre>{@code
 * Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
 *     new TextPreprocessor().setModelPath(bundle).setInputCol("sentence1").setPairCol("sentence2"),
 *     new TokenEncoder().setModelPath(bundle).setSequenceOutputCol("sequence_output")});
 * }</pre>
 */
public class TextPreprocessor extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;

  private final Param<String> modelPath;
  private final Param<String> inputCol;
  private final Param<String> pairCol;
  private final IntParam maxSeqLength;
  private final Param<String> inputWordIdsCol;
  private final Param<String> inputMaskCol;
  private final Param<String> inputTypeIdsCol;
  private final BooleanParam padToMaxSeqLength;
  private final Param<String> tokensCol;
  private final Param<String> offsetsCol;
  private final Param<String> offsetUnit;

  public TextPreprocessor() {
    this(Identifiable$.MODULE$.randomUID("TextPreprocessor"));
  }

  public TextPreprocessor(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "model bundle directory on any Hadoop FileSystem, or a built-in "
        + "model name (minilm); only its tokenizer.json (and config.json) is read", ParamCheck.nonBlank("modelPath"));
    inputCol = new Param<>(this, "inputCol", "string column to tokenize", ParamCheck.nonBlank("inputCol"));
    pairCol = new Param<>(this, "pairCol", "optional second string column: rows are tokenized as text pairs "
        + "([CLS] a [SEP] b [SEP], token types 0/1)", ParamCheck.nonBlank("pairCol"));
    maxSeqLength = new IntParam(this, "maxSeqLength", "tokens per row at most, special tokens included; "
        + "longer rows (and pairs, longest first) are truncated", ParamCheck.atLeast("maxSeqLength", 2));
    inputWordIdsCol = new Param<>(this, "inputWordIdsCol", "output column of token ids (array<int>)",
        ParamCheck.nonBlank("inputWordIdsCol"));
    inputMaskCol = new Param<>(this, "inputMaskCol", "output column of the attention mask (array<int>): 1 for "
        + "real tokens, 0 for padding", ParamCheck.nonBlank("inputMaskCol"));
    inputTypeIdsCol = new Param<>(this, "inputTypeIdsCol", "output column of token type ids (array<int>): 0 for "
        + "the first text, 1 for the second of a pair (as the tokenizer's post-processor sets them)",
        ParamCheck.nonBlank("inputTypeIdsCol"));
    padToMaxSeqLength = new BooleanParam(this, "padToMaxSeqLength", "pad every row's id columns to maxSeqLength "
        + "(TF Hub's fixed [seq_length] shape); false keeps each row's real tokens only");
    tokensCol = TokenParams.tokensCol(this);
    offsetsCol = TokenParams.offsetsCol(this);
    offsetUnit = TokenParams.offsetUnit(this);

    setDefault(inputCol, "text");
    setDefault(maxSeqLength, 128);
    setDefault(inputWordIdsCol, "input_word_ids");
    setDefault(inputMaskCol, "input_mask");
    setDefault(inputTypeIdsCol, "input_type_ids");
    setDefault(padToMaxSeqLength, false);
    setDefault(offsetUnit, OffsetUnit.CODEPOINT.paramValue());
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- Params: accessors, getters and setters ----

  public Param<String> modelPath() {
    return modelPath;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> pairCol() {
    return pairCol;
  }

  public IntParam maxSeqLength() {
    return maxSeqLength;
  }

  public Param<String> inputWordIdsCol() {
    return inputWordIdsCol;
  }

  public Param<String> inputMaskCol() {
    return inputMaskCol;
  }

  public Param<String> inputTypeIdsCol() {
    return inputTypeIdsCol;
  }

  public BooleanParam padToMaxSeqLength() {
    return padToMaxSeqLength;
  }

  public Param<String> tokensCol() {
    return tokensCol;
  }

  public Param<String> offsetsCol() {
    return offsetsCol;
  }

  public Param<String> offsetUnit() {
    return offsetUnit;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public String getPairCol() {
    return isDefined(pairCol) ? $(pairCol) : null;
  }

  public int getMaxSeqLength() {
    return (Integer) $(maxSeqLength);
  }

  public String getInputWordIdsCol() {
    return $(inputWordIdsCol);
  }

  public String getInputMaskCol() {
    return $(inputMaskCol);
  }

  public String getInputTypeIdsCol() {
    return $(inputTypeIdsCol);
  }

  public boolean getPadToMaxSeqLength() {
    return (Boolean) $(padToMaxSeqLength);
  }

  public String getTokensCol() {
    return isDefined(tokensCol) ? $(tokensCol) : null;
  }

  public String getOffsetsCol() {
    return isDefined(offsetsCol) ? $(offsetsCol) : null;
  }

  public String getOffsetUnit() {
    return $(offsetUnit);
  }

  public TextPreprocessor setModelPath(String value) {
    return setParam(modelPath, value);
  }

  public TextPreprocessor setInputCol(String value) {
    return setParam(inputCol, value);
  }

  public TextPreprocessor setPairCol(String value) {
    return setParam(pairCol, value);
  }

  public TextPreprocessor setMaxSeqLength(int value) {
    return setParam(maxSeqLength, value);
  }

  public TextPreprocessor setInputWordIdsCol(String value) {
    return setParam(inputWordIdsCol, value);
  }

  public TextPreprocessor setInputMaskCol(String value) {
    return setParam(inputMaskCol, value);
  }

  public TextPreprocessor setInputTypeIdsCol(String value) {
    return setParam(inputTypeIdsCol, value);
  }

  public TextPreprocessor setPadToMaxSeqLength(boolean value) {
    return setParam(padToMaxSeqLength, value);
  }

  public TextPreprocessor setTokensCol(String value) {
    return setParam(tokensCol, value);
  }

  public TextPreprocessor setOffsetsCol(String value) {
    return setParam(offsetsCol, value);
  }

  public TextPreprocessor setOffsetUnit(String value) {
    return setParam(offsetUnit, value);
  }

  private <T> TextPreprocessor setParam(Param<T> param, T value) {
    set(param, value);
    return this;
  }

  // ---- Schema and transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    StageSchemas.requireStringColumn(schema, inputCol.name(), getInputCol());
    if (getPairCol() != null) {
      StageSchemas.requireStringColumn(schema, pairCol.name(), getPairCol());
    }
    StageSchemas.requireNewColumns(schema, layout(0).columns());
    StageSchemas.requireModelPath(isDefined(modelPath));
    return layout(loadTokenizer().value().padTokenId()).appendTo(schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema(), true);
    BroadcastOnce<TokenizerBundle> tokenizer = loadTokenizer();
    IdLayout layout = layout(tokenizer.value().padTokenId());
    StructType inSchema = dataset.schema();
    SparkContext sc = dataset.sparkSession().sparkContext();
    TextColumns texts = new TextColumns(tokenizer.get(sc), getMaxSeqLength(), inSchema.fieldIndex(getInputCol()),
        getPairCol() == null ? -1 : inSchema.fieldIndex(getPairCol()),
        layout.tokenColumns().any() ? OffsetUnit.fromParam(getOffsetUnit()) : null);
    return dataset.toDF().mapPartitions(new PreprocessPartitionFunction(texts, layout), Encoders.row(outSchema));
  }

  @Override
  public TextPreprocessor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The tokenizer files behind {@link #getModelPath()} (cached on the driver). */
  public TokenizerBundle tokenizerBundle() {
    return loadTokenizer().value();
  }

  private BroadcastOnce<TokenizerBundle> loadTokenizer() {
    return DriverModelCache.loadTokenizer(getModelPath(), getMaxSeqLength(), StageSchemas.hadoopConf());
  }

  private IdLayout layout(long padId) {
    return new IdLayout(getInputWordIdsCol(), getInputMaskCol(), getInputTypeIdsCol(),
        getPadToMaxSeqLength() ? getMaxSeqLength() : 0, padId, new TokenColumns(getTokensCol(), getOffsetsCol()));
  }

  // ---- Persistence: Params plus a copy of tokenizer.json (and config.json) ----

  @Override
  public MLWriter write() {
    return StageWriter.withTokenizer(this, () -> loadTokenizer().value());
  }

  public static MLReader<TextPreprocessor> read() {
    return new StageReader<>(TextPreprocessor.class, TextPreprocessor::new, TextPreprocessor::setModelPath);
  }

  public static TextPreprocessor load(String path) {
    return read().load(path);
  }
}
