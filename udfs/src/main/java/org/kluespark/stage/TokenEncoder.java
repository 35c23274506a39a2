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
public class TokenEncoder extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;

  private final Param<String> modelPath;
  private final Param<String> inputWordIdsCol;
  private final Param<String> inputMaskCol;
  private final Param<String> inputTypeIdsCol;
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

  public TokenEncoder() {
    this(Identifiable$.MODULE$.randomUID("TokenEncoder"));
  }

  public TokenEncoder(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "model bundle directory (model.onnx + tokenizer.json, optional "
        + "config.json) on any Hadoop FileSystem, or a built-in model name (minilm)", ParamCheck.nonBlank("modelPath"));
    inputWordIdsCol = new Param<>(this, "inputWordIdsCol", "input column of token ids (array<int> or "
        + "array<bigint>); null gives null outputs", ParamCheck.nonBlank("inputWordIdsCol"));
    inputMaskCol = new Param<>(this, "inputMaskCol", "input column of the attention mask: 1 for real tokens, "
        + "then 0s for right padding", ParamCheck.nonBlank("inputMaskCol"));
    inputTypeIdsCol = new Param<>(this, "inputTypeIdsCol", "input column of token type ids (0 first text, 1 "
        + "second text of a pair)", ParamCheck.nonBlank("inputTypeIdsCol"));
    maxSeqLength = new IntParam(this, "maxSeqLength", "real tokens per row at most (checked against the model's "
        + "positions); longer rows fail: set it to at least the preprocessor's", ParamCheck.atLeast("maxSeqLength", 2));
    batchSize = new IntParam(this, "batchSize", "rows per ONNX Runtime call at most; when not set, 32 on the CPU and "
        + EmbeddingSettings.DEFAULT_GPU_BATCH_SIZE + " on a GPU", ParamCheck.positive("batchSize"));
    windowSize = new IntParam(this, "windowSize", "rows sorted by length together before batches are cut; "
        + "larger means less padding and more memory", ParamCheck.positive("windowSize"));
    pooledOutputCol = new Param<>(this, "pooledOutputCol", "output column of pooled vectors [hidden]",
        ParamCheck.nonBlank("pooledOutputCol"));
    sequenceOutputCol = new Param<>(this, "sequenceOutputCol", "optional output column of token vectors "
        + "[tokens][hidden], trimmed to each row's real tokens", ParamCheck.nonBlank("sequenceOutputCol"));
    encoderOutputsCol = new Param<>(this, "encoderOutputsCol", "optional output column of every layer's token "
        + "vectors [layers][tokens][hidden]; needs a model with hidden_states outputs (see TextEmbedder)",
        ParamCheck.nonBlank("encoderOutputsCol"));
    encoderLayers = new IntArrayParam(this, "encoderLayers", "the layers of encoderOutputsCol, as TextEmbedder's: "
        + "0 = embeddings, L = last layer, negative from the end; default all", ParamCheck.nonEmptyInts("encoderLayers"));
    pooling = new Param<>(this, "pooling", "how token vectors become one vector: " + Pooling.names()
        + "; auto = the model's pooler output if it has one, else mean", ParamCheck.oneOf("pooling", Pooling.names()));
    normalize = new BooleanParam(this, "normalize", "scale pooled vectors to unit L2 norm");
    outputType = new Param<>(this, "outputType", "pooled column type: array (array<float>) or vector "
        + "(ml.linalg.Vector)", ParamCheck.oneOf("outputType", Arrays.asList(OutputLayout.ARRAY, OutputLayout.VECTOR)));
    device = new Param<>(this, "device", "auto (the task's GPU if it has one, else CPU), cpu or cuda",
        ParamCheck.oneOf("device", Device.names()));
    intraOpThreads = new IntParam(this, "intraOpThreads", "ONNX Runtime intra-op threads per session; "
        + "0 = spark.task.cpus", ParamCheck.atLeast("intraOpThreads", 0));

    setDefault(inputWordIdsCol, "input_word_ids");
    setDefault(inputMaskCol, "input_mask");
    setDefault(inputTypeIdsCol, "input_type_ids");
    setDefault(maxSeqLength, 128);
    setDefault(batchSize, 32);
    setDefault(windowSize, 1024);
    setDefault(pooledOutputCol, "pooled_output");
    setDefault(pooling, Pooling.AUTO.paramValue());
    setDefault(normalize, false);
    setDefault(outputType, OutputLayout.ARRAY);
    setDefault(device, Device.AUTO.paramValue());
    setDefault(intraOpThreads, 0);
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- Params: accessors, getters and setters ----

  public Param<String> modelPath() {
    return modelPath;
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

  public String getModelPath() {
    return $(modelPath);
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

  public TokenEncoder setModelPath(String value) {
    return setParam(modelPath, value);
  }

  public TokenEncoder setInputWordIdsCol(String value) {
    return setParam(inputWordIdsCol, value);
  }

  public TokenEncoder setInputMaskCol(String value) {
    return setParam(inputMaskCol, value);
  }

  public TokenEncoder setInputTypeIdsCol(String value) {
    return setParam(inputTypeIdsCol, value);
  }

  public TokenEncoder setMaxSeqLength(int value) {
    return setParam(maxSeqLength, value);
  }

  public TokenEncoder setBatchSize(int value) {
    return setParam(batchSize, value);
  }

  public TokenEncoder setWindowSize(int value) {
    return setParam(windowSize, value);
  }

  public TokenEncoder setPooledOutputCol(String value) {
    return setParam(pooledOutputCol, value);
  }

  public TokenEncoder setSequenceOutputCol(String value) {
    return setParam(sequenceOutputCol, value);
  }

  public TokenEncoder setEncoderOutputsCol(String value) {
    return setParam(encoderOutputsCol, value);
  }

  public TokenEncoder setEncoderLayers(int... value) {
    return setParam(encoderLayers, value == null ? null : value.clone());
  }

  public TokenEncoder setPooling(String value) {
    return setParam(pooling, value);
  }

  public TokenEncoder setNormalize(boolean value) {
    return setParam(normalize, value);
  }

  public TokenEncoder setOutputType(String value) {
    return setParam(outputType, value);
  }

  public TokenEncoder setDevice(String value) {
    return setParam(device, value);
  }

  public TokenEncoder setIntraOpThreads(int value) {
    return setParam(intraOpThreads, value);
  }

  private <T> TokenEncoder setParam(Param<T> param, T value) {
    set(param, value);
    return this;
  }

  // ---- Schema and transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    StageSchemas.requireIdColumn(schema, inputWordIdsCol.name(), getInputWordIdsCol());
    StageSchemas.requireIdColumn(schema, inputMaskCol.name(), getInputMaskCol());
    StageSchemas.requireIdColumn(schema, inputTypeIdsCol.name(), getInputTypeIdsCol());
    OutputLayout layout = outputLayout();
    StageSchemas.requireNewColumns(schema, layout.columns());
    StageSchemas.requireModelPath(isDefined(modelPath));
    ModelSignature signature = loadModel().signature();
    StageSchemas.resolvePooling(getPooling(), signature, getModelPath());
    resolvedEncoderLayers(signature);
    return layout.appendTo(schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema(), true);
    LoadedModel model = loadModel();
    ModelSignature signature = model.signature();
    int gpuBatchSize = isSet(batchSize) ? getBatchSize() : EmbeddingSettings.DEFAULT_GPU_BATCH_SIZE;
    EmbeddingSettings settings = new EmbeddingSettings(getMaxSeqLength(), getBatchSize(), gpuBatchSize,
        getWindowSize(), StageSchemas.resolvePooling(getPooling(), signature, getModelPath()), getNormalize(),
        getSequenceOutputCol() != null, resolvedEncoderLayers(signature));
    StructType inSchema = dataset.schema();
    Integer vocabSize = signature.embeddingVocabSize() != null ? signature.embeddingVocabSize()
        : Integer.valueOf(signature.tokenizerVocabSize());
    IdColumns ids = new IdColumns(inSchema.fieldIndex(getInputWordIdsCol()), inSchema.fieldIndex(getInputMaskCol()),
        inSchema.fieldIndex(getInputTypeIdsCol()),
        new IdColumns.IdColumnNames(getInputWordIdsCol(), getInputMaskCol(), getInputTypeIdsCol()),
        getMaxSeqLength(), vocabSize);
    SparkContext sc = dataset.sparkSession().sparkContext();
    PartitionEmbedder embedder = new PartitionEmbedder(model.broadcast(sc), signature,
        new SessionSettings(Device.fromParam(getDevice()), getIntraOpThreads()), settings,
        EmbeddingCounters.register(sc));
    EmbedPartitionFunction function = new EmbedPartitionFunction(embedder, ids, getInputWordIdsCol(), outputLayout());
    return dataset.toDF().mapPartitions(function, Encoders.row(outSchema));
  }

  @Override
  public TokenEncoder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The validated bundle behind {@link #getModelPath()} (cached on the driver). */
  public ModelSignature modelSignature() {
    return loadModel().signature();
  }

  private LoadedModel loadModel() {
    return DriverModelCache.load(getModelPath(), getMaxSeqLength(), StageSchemas.hadoopConf());
  }

  private List<Integer> resolvedEncoderLayers(ModelSignature signature) {
    if (getEncoderOutputsCol() == null) {
      return List.of();
    }
    return EncoderLayerSelection.resolve(getEncoderLayers(), signature, getModelPath());
  }

  private OutputLayout outputLayout() {
    return new OutputLayout(getPooledOutputCol(), getSequenceOutputCol(), getEncoderOutputsCol(),
        OutputLayout.VECTOR.equals(getOutputType()), TokenColumns.NONE, null);
  }

  // ---- Persistence: Params plus a copy of the bundle ----

  @Override
  public MLWriter write() {
    return StageWriter.withModel(this, () -> loadModel().bundle());
  }

  public static MLReader<TokenEncoder> read() {
    return new StageReader<>(TokenEncoder.class, TokenEncoder::new, TokenEncoder::setModelPath);
  }

  public static TokenEncoder load(String path) {
    return read().load(path);
  }

  /** The bundle behind {@link #getModelPath()}, for tools that inspect the stage. */
  public ModelBundle modelBundle() {
    return loadModel().bundle();
  }
}
