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
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.types.StructType;
import org.kluespark.embed.EmbeddingSettings;
import org.kluespark.inference.Device;
import org.kluespark.inference.DeviceChooser;
import org.kluespark.inference.SessionSettings;
import org.kluespark.metrics.EmbeddingCounters;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
import org.kluespark.model.Precision;
import org.kluespark.pooling.Pooling;
import org.kluespark.pooling.PoolingRule;

/**
 * What {@link TextEmbedder} and {@link TokenEncoder} share — the model, how rows are batched and run, and the
 * outputs — as Spark's shared-Params traits ({@code HasInputCol}, ...) and {@code Predictor} base share theirs:
 * each Param, its doc, default, getter and setter live here once, and the two stages differ only in where a
 * row's tokens come from (text columns, or id columns a {@link TextPreprocessor} wrote). The Params
 * {@link TextPreprocessor} has too are declared in the shared holders instead: {@code modelPath} and
 * {@code maxSeqLength} in {@link ModelParams} ({@link HasModel}), the text columns in {@link TextInputParams},
 * the id columns in {@link IdColumnParams}.
 *
 * @param <S> the concrete stage, which the setters return
 */
public abstract class EncoderStage<S extends EncoderStage<S>> extends Transformer
    implements MLWritable, HasModel<S> {
  private static final long serialVersionUID = 1L;

  private final String uid;

  private final ModelParams modelParams;
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
  private final BooleanParam reuseDuplicates;

  /** @param maxSeqLengthDoc what maxSeqLength means for this stage's input */
  protected EncoderStage(String uid, String maxSeqLengthDoc) {
    this.uid = uid;
    modelParams = ModelParams.forEncoder(this, maxSeqLengthDoc);
    batchSize = new IntParam(this, "batchSize", "rows per ONNX Runtime call at most; when not set, 32 on the CPU and "
        + EmbeddingSettings.DEFAULT_GPU_BATCH_SIZE + " on a GPU", ParamCheck.positive("batchSize"));
    windowSize = new IntParam(this, "windowSize", "rows (tokenized and) sorted by length together before "
        + "batches are cut; larger means less padding and more memory", ParamCheck.positive("windowSize"));
    pooledOutputCol = new Param<>(this, "pooledOutputCol", "output column of pooled vectors [hidden] (the "
        + "declared Dense layer's out_features when pooling=auto applies one)",
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
        + "; auto = the pooling the bundle declares (sentence-transformers modules: mode, Dense layer, "
        + "normalization), else the model's pooler output if it has one, else cls. An explicit mode replaces the "
        + "declared pipeline, Dense layer and normalization included", ParamCheck.oneOf("pooling", Pooling.names()));
    normalize = new BooleanParam(this, "normalize", "scale pooled vectors to unit L2 norm; when not set, "
        + "pooling=auto normalizes if the bundle declares it and other poolings do not");
    outputType = new Param<>(this, "outputType", "pooled column type: array (array<float>) or vector "
        + "(ml.linalg.Vector, for Spark ML estimators)",
        ParamCheck.oneOf("outputType", Arrays.asList(OutputLayout.ARRAY, OutputLayout.VECTOR)));
    device = new Param<>(this, "device", "auto (the task's GPU if it has one, else CPU), cpu or cuda (fails "
        + "without a GPU)", ParamCheck.oneOf("device", Device.names()));
    intraOpThreads = new IntParam(this, "intraOpThreads", "ONNX Runtime intra-op threads per session; "
        + "0 = spark.task.cpus", ParamCheck.atLeast("intraOpThreads", 0));
    reuseDuplicates = new BooleanParam(this, "reuseDuplicates", "rows of a window with the same input (the same "
        + "text and pair text, or the same token ids) are tokenized and run once and the others get a copy of "
        + "the result: the same vectors with less work on repeated text; false runs every row");

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
    // A stage saved before this Param existed has none in its metadata and loads with this default.
    setDefault(reuseDuplicates, true);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ModelParams modelParams() {
    return modelParams;
  }

  // ---- Params: accessors (Spark discovers Params through these public methods), getters and setters ----

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

  public BooleanParam reuseDuplicates() {
    return reuseDuplicates;
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
    return optional(sequenceOutputCol);
  }

  public String getEncoderOutputsCol() {
    return optional(encoderOutputsCol);
  }

  /** The requested layers as given (negative indices unresolved), or null when unset, meaning all. */
  public int[] getEncoderLayers() {
    return isDefined(encoderLayers) ? $(encoderLayers).clone() : null;
  }

  public String getPooling() {
    return $(pooling);
  }

  /** The normalize Param's value (false when not set; {@link #resolvedPooling()} says what a row gets). */
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

  public boolean getReuseDuplicates() {
    return (Boolean) $(reuseDuplicates);
  }

  public S setBatchSize(int value) {
    return setParam(batchSize, value);
  }

  public S setWindowSize(int value) {
    return setParam(windowSize, value);
  }

  public S setPooledOutputCol(String value) {
    return setParam(pooledOutputCol, value);
  }

  public S setSequenceOutputCol(String value) {
    return setParam(sequenceOutputCol, value);
  }

  public S setEncoderOutputsCol(String value) {
    return setParam(encoderOutputsCol, value);
  }

  /** Layers of {@link #encoderOutputsCol()}; see the Param's doc for the indices. */
  public S setEncoderLayers(int... value) {
    return setParam(encoderLayers, value == null ? null : value.clone());
  }

  public S setPooling(String value) {
    return setParam(pooling, value);
  }

  public S setNormalize(boolean value) {
    return setParam(normalize, value);
  }

  public S setOutputType(String value) {
    return setParam(outputType, value);
  }

  public S setDevice(String value) {
    return setParam(device, value);
  }

  public S setIntraOpThreads(int value) {
    return setParam(intraOpThreads, value);
  }

  /** Whether rows repeating an earlier row of their window get a copy of its result instead of a run. */
  public S setReuseDuplicates(boolean value) {
    return setParam(reuseDuplicates, value);
  }

  /** Sets {@code param} and returns this stage as its own type, for chained setters. */
  @SuppressWarnings("unchecked")
  protected final <T> S setParam(Param<T> param, T value) {
    set(param, value);
    return (S) this;
  }

  /** The value of an optional Param, null when unset. */
  protected final String optional(Param<String> param) {
    return isDefined(param) ? $(param) : null;
  }

  // ---- What both stages do with these Params ----

  /**
   * The driver-side checks both stages make in transformSchema after their input columns: new output columns,
   * a model path, a model that loads and validates, a pooling and encoder layers the model can give.
   */
  protected final StructType appendOutputs(StructType schema, OutputLayout layout) {
    StageSchemas.requireNewColumns(schema, layout.columns());
    StageSchemas.requireModelPath(isDefined(modelPath()));
    LoadedModel model = loadModel();
    ModelSignature signature = model.signature();
    PoolingRule.Resolved pooled = resolvedPooling(model.bundle(), signature);
    resolvedEncoderLayers(signature);
    requireDeviceFor(model.bundle().precision());
    return StageSchemas.withPooledSize(layout.appendTo(schema), layout.pooledCol(), pooled.width(signature.hiddenSize()),
        layout.vectorOutput());
  }

  /**
   * What each task runs, with this stage's model and settings and a fresh set of counters registered with
   * {@code sc}; the SQL functions ({@code org.kluespark.sql}) plan the same work.
   */
  public PartitionEmbedder partitionEmbedder(SparkContext sc) {
    LoadedModel model = loadModel();
    ModelSignature signature = model.signature();
    int gpuBatchSize = isSet(batchSize) ? getBatchSize() : EmbeddingSettings.DEFAULT_GPU_BATCH_SIZE;
    PoolingRule.Resolved pooled = resolvedPooling(model.bundle(), signature);
    EmbeddingSettings settings = new EmbeddingSettings(getMaxSeqLength(), getBatchSize(), gpuBatchSize,
        getWindowSize(), pooled.pooling(), pooled.normalize(), getSequenceOutputCol() != null,
        resolvedEncoderLayers(signature), getReuseDuplicates(), pooled.dense());
    return new PartitionEmbedder(model.broadcast(sc), signature,
        new SessionSettings(Device.fromParam(getDevice()), getIntraOpThreads()), settings,
        EmbeddingCounters.register(sc));
  }

  /** The output columns, with this stage's token-alignment and error columns. */
  protected final OutputLayout outputLayout(TokenColumns tokens, String errorCol) {
    return new OutputLayout(getPooledOutputCol(), getSequenceOutputCol(), getEncoderOutputsCol(),
        OutputLayout.VECTOR.equals(getOutputType()), tokens, errorCol);
  }

  @Override
  public S copy(ParamMap extra) {
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

  /** device=cuda with an int8 bundle fails here, on the driver, before any task could fail on it. */
  private void requireDeviceFor(Precision precision) {
    if (precision == Precision.INT8 && Device.fromParam(getDevice()) == Device.CUDA) {
      throw new IllegalArgumentException(getModelPath() + ": " + DeviceChooser.int8OnCudaMessage());
    }
  }

  /**
   * What each row's pooled vector goes through: {@link PoolingRule} applied to this stage's pooling and
   * normalize Params and the bundle's declaration.
   */
  public PoolingRule.Resolved resolvedPooling() {
    LoadedModel model = loadModel();
    return resolvedPooling(model.bundle(), model.signature());
  }

  private PoolingRule.Resolved resolvedPooling(ModelBundle bundle, ModelSignature signature) {
    return PoolingRule.resolve(getPooling(), isSet(normalize) ? getNormalize() : null,
        bundle.declaration().orElse(null), bundle.dense(), signature.hasPooler(), getModelPath());
  }

  /** The hidden states each row gets: none without encoderOutputsCol. */
  private List<Integer> resolvedEncoderLayers(ModelSignature signature) {
    if (getEncoderOutputsCol() == null) {
      return List.of();
    }
    return EncoderLayerSelection.resolve(getEncoderLayers(), signature, getModelPath());
  }

  // ---- Persistence: Params plus a copy of the bundle ----

  @Override
  public MLWriter write() {
    return StageWriter.withModel(this, () -> loadModel().bundle());
  }
}
