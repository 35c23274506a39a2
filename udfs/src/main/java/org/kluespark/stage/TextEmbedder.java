package org.kluespark.stage;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntArrayParam;
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
import org.kluespark.embed.EmbeddingSettings;
import org.kluespark.inference.Device;
import org.kluespark.inference.SessionSettings;
import org.kluespark.metrics.EmbeddingCounters;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
import org.kluespark.pooling.Pooling;
import org.kluespark.tokenize.OffsetUnit;

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
public class TextEmbedder extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;

  /**
   * The named accumulator each transform counts its rows in, batch by batch (see {@link EmbeddingCounters}
   * for the others). Executors report it in their heartbeats while tasks run, so a listener (the job's
   * progress line, the Spark UI) sees rows before any task has finished.
   */
  public static final String ROWS_ACCUMULATOR = EmbeddingCounters.ROWS;

  private final String uid;

  private final Param<String> modelPath;
  private final Param<String> inputCol;
  private final Param<String> pairCol;
  private final IntParam maxSeqLength;
  private final IntParam batchSize;
  private final IntParam windowSize;
  private final Param<String> pooledOutputCol;
  private final Param<String> sequenceOutputCol;
  private final Param<String> encoderOutputsCol;
  private final IntArrayParam encoderLayers;
  private final Param<String> pooling;
  private final BooleanParam normalize;
  private final Param<String> outputType;
  private final Param<String> device;
  private final IntParam intraOpThreads;
  private final Param<String> tokensCol;
  private final Param<String> offsetsCol;
  private final Param<String> offsetUnit;
  private final Param<String> errorCol;

  public TextEmbedder() {
    this(Identifiable$.MODULE$.randomUID("TextEmbedder"));
  }

  public TextEmbedder(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "model bundle directory (model.onnx + tokenizer.json, optional "
        + "config.json) on any Hadoop FileSystem, or a built-in model name (minilm)", ParamCheck.nonBlank("modelPath"));
    inputCol = new Param<>(this, "inputCol", "string column to embed", ParamCheck.nonBlank("inputCol"));
    pairCol = new Param<>(this, "pairCol", "optional second string column: rows are embedded as text pairs "
        + "([CLS] a [SEP] b [SEP], token types 0/1)", ParamCheck.nonBlank("pairCol"));
    maxSeqLength = new IntParam(this, "maxSeqLength", "tokens per row at most, special tokens included; "
        + "longer rows (and pairs, longest first) are truncated", ParamCheck.atLeast("maxSeqLength", 2));
    batchSize = new IntParam(this, "batchSize", "rows per ONNX Runtime call at most; when not set, 32 on the CPU and "
        + EmbeddingSettings.DEFAULT_GPU_BATCH_SIZE + " on a GPU", ParamCheck.positive("batchSize"));
    windowSize = new IntParam(this, "windowSize", "rows tokenized and sorted by length together before "
        + "batches are cut; larger means less padding and more memory", ParamCheck.positive("windowSize"));
    pooledOutputCol = new Param<>(this, "pooledOutputCol", "output column of pooled vectors [hidden]",
        ParamCheck.nonBlank("pooledOutputCol"));
    sequenceOutputCol = new Param<>(this, "sequenceOutputCol", "optional output column of token vectors "
        + "[tokens][hidden], trimmed to each row's real tokens", ParamCheck.nonBlank("sequenceOutputCol"));
    encoderOutputsCol = new Param<>(this, "encoderOutputsCol", "optional output column of every layer's token "
        + "vectors [layers][tokens][hidden] (array<array<array<float>>>), each layer trimmed to the row's real "
        + "tokens like sequenceOutputCol; needs a model with hidden_states outputs (kluespark convert writes "
        + "them unless given --no-hidden-states)", ParamCheck.nonBlank("encoderOutputsCol"));
    encoderLayers = new IntArrayParam(this, "encoderLayers", "the layers of encoderOutputsCol, in this order "
        + "(duplicates kept), as indices into the model's hidden states: 0 = the embeddings output, i = the "
        + "output of encoder layer i, L = the last layer (= sequenceOutputCol); negative indices count from the "
        + "end as in Python (-1 = L). Default: all, 0..L. TF Hub BERT's encoder_outputs are layers 1..L.",
        ParamCheck.nonEmptyInts("encoderLayers"));
    pooling = new Param<>(this, "pooling", "how token vectors become one vector: " + Pooling.names()
        + "; auto = the model's pooler output if it has one, else mean", ParamCheck.oneOf("pooling", Pooling.names()));
    normalize = new BooleanParam(this, "normalize", "scale pooled vectors to unit L2 norm");
    outputType = new Param<>(this, "outputType", "pooled column type: array (array<float>) or vector "
        + "(ml.linalg.Vector, for Spark ML estimators)",
        ParamCheck.oneOf("outputType", Arrays.asList(OutputLayout.ARRAY, OutputLayout.VECTOR)));
    device = new Param<>(this, "device", "auto (the task's GPU if it has one, else CPU), cpu or cuda (fails "
        + "without a GPU)", ParamCheck.oneOf("device", Device.names()));
    intraOpThreads = new IntParam(this, "intraOpThreads", "ONNX Runtime intra-op threads per session; "
        + "0 = spark.task.cpus", ParamCheck.atLeast("intraOpThreads", 0));
    tokensCol = TokenParams.tokensCol(this);
    offsetsCol = TokenParams.offsetsCol(this);
    offsetUnit = TokenParams.offsetUnit(this);
    errorCol = new Param<>(this, "errorCol", "optional string output column: when set, a row that cannot be "
        + "embedded (the tokenizer or the model fails on it alone) keeps null outputs and gets the reason here "
        + "instead of failing the job; null for every other row. Unset: such a row fails the task, naming its "
        + "partition and index", ParamCheck.nonBlank("errorCol"));

    setDefault(inputCol, "text");
    setDefault(maxSeqLength, 128);
    // Measured on KLUE STS+NLI dev (5,038 sentences, BatchPlanner cuts): padding efficiency is 95.7% with
    // windows of 128 rows, 98.7% with 512, 99.1% with 1024 and 99.7% with 4096, so 1024 rows (a few MB of
    // tokens and outputs) takes nearly all the gain. batchSize is the planner's cap: on the CPU the cost per
    // token is flat from 4 to 32 rows and a little worse at 64 (MiniLM, 24-token rows), so 32.
    setDefault(batchSize, 32);
    setDefault(windowSize, 1024);
    setDefault(pooledOutputCol, "pooled_output");
    setDefault(pooling, Pooling.AUTO.paramValue());
    setDefault(normalize, false);
    setDefault(outputType, OutputLayout.ARRAY);
    setDefault(device, Device.AUTO.paramValue());
    setDefault(intraOpThreads, 0);
    setDefault(offsetUnit, OffsetUnit.CODEPOINT.paramValue());
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- Params: accessors (Spark discovers Params through these public methods) and setters ----

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

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam windowSize() {
    return windowSize;
  }

  public Param<String> pooledOutputCol() {
    return pooledOutputCol;
  }

  public Param<String> sequenceOutputCol() {
    return sequenceOutputCol;
  }

  public Param<String> encoderOutputsCol() {
    return encoderOutputsCol;
  }

  public IntArrayParam encoderLayers() {
    return encoderLayers;
  }

  public Param<String> pooling() {
    return pooling;
  }

  public BooleanParam normalize() {
    return normalize;
  }

  public Param<String> outputType() {
    return outputType;
  }

  public Param<String> device() {
    return device;
  }

  public IntParam intraOpThreads() {
    return intraOpThreads;
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

  public Param<String> errorCol() {
    return errorCol;
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

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  public int getWindowSize() {
    return (Integer) $(windowSize);
  }

  public String getPooledOutputCol() {
    return $(pooledOutputCol);
  }

  public String getSequenceOutputCol() {
    return isDefined(sequenceOutputCol) ? $(sequenceOutputCol) : null;
  }

  public String getEncoderOutputsCol() {
    return isDefined(encoderOutputsCol) ? $(encoderOutputsCol) : null;
  }

  /** The requested layers as given (negative indices unresolved), or null when unset, meaning all. */
  public int[] getEncoderLayers() {
    return isDefined(encoderLayers) ? $(encoderLayers).clone() : null;
  }

  public String getPooling() {
    return $(pooling);
  }

  public boolean getNormalize() {
    return (Boolean) $(normalize);
  }

  public String getOutputType() {
    return $(outputType);
  }

  public String getDevice() {
    return $(device);
  }

  public int getIntraOpThreads() {
    return (Integer) $(intraOpThreads);
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

  public String getErrorCol() {
    return isDefined(errorCol) ? $(errorCol) : null;
  }

  public TextEmbedder setModelPath(String value) {
    return setParam(modelPath, value);
  }

  public TextEmbedder setInputCol(String value) {
    return setParam(inputCol, value);
  }

  public TextEmbedder setPairCol(String value) {
    return setParam(pairCol, value);
  }

  public TextEmbedder setMaxSeqLength(int value) {
    return setParam(maxSeqLength, value);
  }

  public TextEmbedder setBatchSize(int value) {
    return setParam(batchSize, value);
  }

  public TextEmbedder setWindowSize(int value) {
    return setParam(windowSize, value);
  }

  public TextEmbedder setPooledOutputCol(String value) {
    return setParam(pooledOutputCol, value);
  }

  public TextEmbedder setSequenceOutputCol(String value) {
    return setParam(sequenceOutputCol, value);
  }

  public TextEmbedder setEncoderOutputsCol(String value) {
    return setParam(encoderOutputsCol, value);
  }

  /** Layers of {@link #encoderOutputsCol()}; see the Param's doc for the indices. */
  public TextEmbedder setEncoderLayers(int... value) {
    return setParam(encoderLayers, value == null ? null : value.clone());
  }

  public TextEmbedder setPooling(String value) {
    return setParam(pooling, value);
  }

  public TextEmbedder setNormalize(boolean value) {
    return setParam(normalize, value);
  }

  public TextEmbedder setOutputType(String value) {
    return setParam(outputType, value);
  }

  public TextEmbedder setDevice(String value) {
    return setParam(device, value);
  }

  public TextEmbedder setIntraOpThreads(int value) {
    return setParam(intraOpThreads, value);
  }

  public TextEmbedder setTokensCol(String value) {
    return setParam(tokensCol, value);
  }

  public TextEmbedder setOffsetsCol(String value) {
    return setParam(offsetsCol, value);
  }

  public TextEmbedder setOffsetUnit(String value) {
    return setParam(offsetUnit, value);
  }

  /** Keeps rows that cannot be embedded, with null outputs and the reason in this column; see the Param. */
  public TextEmbedder setErrorCol(String value) {
    return setParam(errorCol, value);
  }

  private <T> TextEmbedder setParam(Param<T> param, T value) {
    set(param, value);
    return this;
  }

  // ---- Schema and transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    StageSchemas.requireStringColumn(schema, inputCol.name(), getInputCol());
    if (getPairCol() != null) {
      StageSchemas.requireStringColumn(schema, pairCol.name(), getPairCol());
      if (getPairCol().equals(getInputCol())) {
        throw new IllegalArgumentException("pairCol and inputCol are both `" + getInputCol() + "`: a pair needs "
            + "two different columns; unset pairCol to embed single texts.");
      }
    }
    OutputLayout layout = outputLayout();
    StageSchemas.requireNewColumns(schema, layout.columns());
    StageSchemas.requireModelPath(isDefined(modelPath));
    ModelSignature signature = loadModel().signature();
    resolvedPooling(signature);
    resolvedEncoderLayers(signature);
    return layout.appendTo(schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema(), true);
    StructType inSchema = dataset.schema();
    int pairIndex = getPairCol() == null ? -1 : inSchema.fieldIndex(getPairCol());
    PartitionEmbedder embedder = partitionEmbedder(dataset.sparkSession().sparkContext());
    OutputLayout layout = outputLayout();
    TextColumns texts = new TextColumns(embedder.model(), getMaxSeqLength(), inSchema.fieldIndex(getInputCol()),
        pairIndex, layout.tokenColumns().any() ? OffsetUnit.fromParam(getOffsetUnit()) : null);
    EmbedPartitionFunction function = new EmbedPartitionFunction(embedder, texts, getInputCol(), layout);
    return dataset.toDF().mapPartitions(function, Encoders.row(outSchema));
  }

  /**
   * What each task of {@link #transform} runs, with this stage's model and settings and a fresh set of
   * counters registered with {@code sc}; the SQL functions ({@code org.kluespark.sql}) plan the same work.
   */
  public PartitionEmbedder partitionEmbedder(SparkContext sc) {
    LoadedModel model = loadModel();
    ModelSignature signature = model.signature();
    int gpuBatchSize = isSet(batchSize) ? getBatchSize() : EmbeddingSettings.DEFAULT_GPU_BATCH_SIZE;
    EmbeddingSettings settings = new EmbeddingSettings(getMaxSeqLength(), getBatchSize(), gpuBatchSize,
        getWindowSize(), resolvedPooling(signature), getNormalize(), getSequenceOutputCol() != null,
        resolvedEncoderLayers(signature));
    return new PartitionEmbedder(model.broadcast(sc), signature,
        new SessionSettings(Device.fromParam(getDevice()), getIntraOpThreads()), settings,
        EmbeddingCounters.register(sc));
  }

  @Override
  public TextEmbedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The validated bundle behind {@link #getModelPath()} (cached on the driver). */
  public ModelSignature modelSignature() {
    return loadModel().signature();
  }

  /** The validated bundle behind {@link #getModelPath()} (cached on the driver). */
  public ModelBundle modelBundle() {
    return loadModel().bundle();
  }

  LoadedModel loadModel() {
    return DriverModelCache.load(getModelPath(), getMaxSeqLength(), StageSchemas.hadoopConf());
  }

  private Pooling resolvedPooling(ModelSignature signature) {
    return StageSchemas.resolvePooling(getPooling(), signature, getModelPath());
  }

  /** The hidden states each row gets: none without encoderOutputsCol. */
  private List<Integer> resolvedEncoderLayers(ModelSignature signature) {
    if (getEncoderOutputsCol() == null) {
      return List.of();
    }
    return EncoderLayerSelection.resolve(getEncoderLayers(), signature, getModelPath());
  }

  private OutputLayout outputLayout() {
    return new OutputLayout(getPooledOutputCol(), getSequenceOutputCol(), getEncoderOutputsCol(),
        OutputLayout.VECTOR.equals(getOutputType()), new TokenColumns(getTokensCol(), getOffsetsCol()),
        getErrorCol());
  }

  // ---- Persistence ----

  @Override
  public MLWriter write() {
    return StageWriter.withModel(this, () -> loadModel().bundle());
  }

  public static MLReader<TextEmbedder> read() {
    return new StageReader<>(TextEmbedder.class, TextEmbedder::new, TextEmbedder::setModelPath);
  }

  public static TextEmbedder load(String path) {
    return read().load(path);
  }
}
