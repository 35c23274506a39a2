package org.kluespark.stage;

import org.apache.spark.SparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
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
public class TextPreprocessor extends Transformer implements MLWritable, HasModel<TextPreprocessor>,
    HasTextInput<TextPreprocessor>, HasIdColumns<TextPreprocessor> {
  private static final long serialVersionUID = 1L;

  private final String uid;

  private final ModelParams modelParams;
  private final TextInputParams textInputParams;
  private final IdColumnParams idColumnParams;
  private final BooleanParam padToMaxSeqLength;

  public TextPreprocessor() {
    this(Identifiable$.MODULE$.randomUID("TextPreprocessor"));
  }

  public TextPreprocessor(String uid) {
    this.uid = uid;
    modelParams = ModelParams.forTokenizer(this);
    textInputParams = new TextInputParams(this, "tokenize", "tokenized");
    idColumnParams = IdColumnParams.outputs(this);
    padToMaxSeqLength = new BooleanParam(this, "padToMaxSeqLength", "pad every row's id columns to maxSeqLength "
        + "(TF Hub's fixed [seq_length] shape); false keeps each row's real tokens only");

    setDefault(padToMaxSeqLength, false);
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- Params: the model's, the text input's and the id columns' come from HasModel, HasTextInput and
  // HasIdColumns; padToMaxSeqLength is this stage's own ----

  @Override
  public ModelParams modelParams() {
    return modelParams;
  }

  @Override
  public TextInputParams textInputParams() {
    return textInputParams;
  }

  @Override
  public IdColumnParams idColumnParams() {
    return idColumnParams;
  }

  public BooleanParam padToMaxSeqLength() {
    return padToMaxSeqLength;
  }

  public boolean getPadToMaxSeqLength() {
    return (Boolean) $(padToMaxSeqLength);
  }

  public TextPreprocessor setPadToMaxSeqLength(boolean value) {
    set(padToMaxSeqLength, value);
    return this;
  }

  // ---- Schema and transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    StageSchemas.requireTextColumns(schema, this);
    StageSchemas.requireNewColumns(schema, layout(0).columns());
    StageSchemas.requireModelPath(isDefined(modelPath()));
    return layout(loadTokenizer().value().padTokenId()).appendTo(schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema(), true);
    BroadcastOnce<TokenizerBundle> tokenizer = loadTokenizer();
    IdLayout layout = layout(tokenizer.value().padTokenId());
    SparkContext sc = dataset.sparkSession().sparkContext();
    TextColumns texts = TextColumns.of(this, tokenizer.get(sc), getMaxSeqLength(), dataset.schema());
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
        getPadToMaxSeqLength() ? getMaxSeqLength() : 0, padId, TokenColumns.of(this));
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
