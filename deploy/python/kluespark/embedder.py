"""PySpark wrapper of the JVM stage ``org.kluespark.stage.TextEmbedder``.

The stage runs in the JVM (ONNX Runtime and the tokenizer inside every executor); this class only holds the
Params and hands them to the Java object, like PySpark's own ``pyspark.ml.feature`` wrappers. It needs
classic PySpark with a JVM (py4j), the kluespark job jar and onnxruntime_gpu on the driver and executors;
Spark Connect clients (no ``spark._jvm``) cannot use it.

Param names, defaults and docs are those of the Java stage; ``DeployRecipesTest`` (tests module) fails the
build when they drift apart.
"""

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasInputCol
from pyspark.ml.util import JavaMLReadable, JavaMLReader, JavaMLWritable
from pyspark.ml.wrapper import JavaTransformer

JAVA_CLASS = "org.kluespark.stage.TextEmbedder"

__all__ = ["TextEmbedder", "JAVA_CLASS"]


class TextEmbedder(JavaTransformer, HasInputCol, JavaMLReadable, JavaMLWritable):
    """Embeds a text column (or a pair of text columns) with a BERT-family ONNX encoder.

    >>> embedder = TextEmbedder(modelPath="dbfs:/models/klue-bert-base", inputCol="sentence1",
    ...                         pairCol="sentence2")
    >>> embedded = embedder.transform(df)  # df plus pooled_output: array<float> [hidden]

    All input columns pass through untouched; a null text gives null outputs. Saving writes the Params and a
    copy of the model bundle, so ``TextEmbedder.load`` and ``PipelineModel.load`` work on another cluster.
    """

    modelPath = Param(
        Params._dummy(), "modelPath",
        "model bundle directory (model.onnx + tokenizer.json, optional config.json) on any Hadoop FileSystem, "
        "or a built-in model name (minilm)",
        typeConverter=TypeConverters.toString)
    inputCol = Param(
        Params._dummy(), "inputCol",
        "string column to embed",
        typeConverter=TypeConverters.toString)
    pairCol = Param(
        Params._dummy(), "pairCol",
        "optional second string column: rows are embedded as text pairs ([CLS] a [SEP] b [SEP], token types 0/1)",
        typeConverter=TypeConverters.toString)
    maxSeqLength = Param(
        Params._dummy(), "maxSeqLength",
        "tokens per row at most, special tokens included; longer rows (and pairs, longest first) are truncated",
        typeConverter=TypeConverters.toInt)
    batchSize = Param(
        Params._dummy(), "batchSize",
        "rows per ONNX Runtime call at most; when not set, 32 on the CPU and 128 on a GPU",
        typeConverter=TypeConverters.toInt)
    windowSize = Param(
        Params._dummy(), "windowSize",
        "rows (tokenized and) sorted by length together before batches are cut; larger means less padding "
        "and more memory",
        typeConverter=TypeConverters.toInt)
    pooledOutputCol = Param(
        Params._dummy(), "pooledOutputCol",
        "output column of pooled vectors [hidden]",
        typeConverter=TypeConverters.toString)
    sequenceOutputCol = Param(
        Params._dummy(), "sequenceOutputCol",
        "optional output column of token vectors [tokens][hidden], trimmed to each row's real tokens",
        typeConverter=TypeConverters.toString)
    encoderOutputsCol = Param(
        Params._dummy(), "encoderOutputsCol",
        "optional output column of every layer's token vectors [layers][tokens][hidden] "
        "(array<array<array<float>>>), each layer trimmed to the row's real tokens like sequenceOutputCol; needs "
        "a model with hidden_states outputs (kluespark convert writes them unless given --no-hidden-states)",
        typeConverter=TypeConverters.toString)
    encoderLayers = Param(
        Params._dummy(), "encoderLayers",
        "the layers of encoderOutputsCol, in this order (duplicates kept), as indices into the model's hidden "
        "states: 0 = the embeddings output, i = the output of encoder layer i, L = the last layer "
        "(= sequenceOutputCol); negative indices count from the end as in Python (-1 = L). Default: all, 0..L. "
        "TF Hub BERT's encoder_outputs are layers 1..L.",
        typeConverter=TypeConverters.toListInt)
    pooling = Param(
        Params._dummy(), "pooling",
        "how token vectors become one vector: [auto, pooler, cls, mean, max]; auto = the model's pooler output "
        "if it has one, else mean",
        typeConverter=TypeConverters.toString)
    normalize = Param(
        Params._dummy(), "normalize",
        "scale pooled vectors to unit L2 norm",
        typeConverter=TypeConverters.toBoolean)
    outputType = Param(
        Params._dummy(), "outputType",
        "pooled column type: array (array<float>) or vector (ml.linalg.Vector, for Spark ML estimators)",
        typeConverter=TypeConverters.toString)
    device = Param(
        Params._dummy(), "device",
        "auto (the task's GPU if it has one, else CPU), cpu or cuda (fails without a GPU)",
        typeConverter=TypeConverters.toString)
    intraOpThreads = Param(
        Params._dummy(), "intraOpThreads",
        "ONNX Runtime intra-op threads per session; 0 = spark.task.cpus",
        typeConverter=TypeConverters.toInt)
    reuseDuplicates = Param(
        Params._dummy(), "reuseDuplicates",
        "rows of a window with the same input (the same text and pair text, or the same token ids) are tokenized "
        "and run once and the others get a copy of the result: the same vectors with less work on repeated text; "
        "false runs every row",
        typeConverter=TypeConverters.toBoolean)
    tokensCol = Param(
        Params._dummy(), "tokensCol",
        "optional output column of each row's token strings (array<string>, special tokens and ## pieces "
        "included), one per token: aligned with sequenceOutputCol's rows and the input_word_ids",
        typeConverter=TypeConverters.toString)
    offsetsCol = Param(
        Params._dummy(), "offsetsCol",
        "optional output column of each token's span in its original text, "
        "array<struct<start:int,end:int,segment:int>> aligned like tokensCol: text.substring(start, end) is "
        "the token's surface form; segment 0 = inputCol, 1 = pairCol; null for special tokens",
        typeConverter=TypeConverters.toString)
    offsetUnit = Param(
        Params._dummy(), "offsetUnit",
        "what offsetsCol counts: codepoint (Unicode code points, as Python str indices, Spark SQL substring "
        "and HF offset_mapping) or utf16 (Java/Scala String indices); they differ only after emoji and other "
        "characters beyond U+FFFF",
        typeConverter=TypeConverters.toString)
    textPrefix = Param(
        Params._dummy(), "textPrefix",
        "instruction put before every (non-null) text of inputCol before it is embedded, e.g. \"query: \" or "
        "\"passage: \" for multilingual-e5: its tokens are real tokens (in tokensCol, counted in "
        "maxSeqLength, in the vectors), exactly as if inputCol held the concatenation; offsetsCol stays "
        "relative to the text without it (the prefix's tokens get null spans). With pairCol it goes on the "
        "first text only (see pairPrefix). Empty (the default) = none",
        typeConverter=TypeConverters.toString)
    pairPrefix = Param(
        Params._dummy(), "pairPrefix",
        "instruction put before every (non-null) text of pairCol, as textPrefix is before inputCol's; needs "
        "pairCol. Empty (the default) = none: retrieval models (e5) embed a query and a passage as two single "
        "texts, each with its own textPrefix, not as a pair",
        typeConverter=TypeConverters.toString)
    errorCol = Param(
        Params._dummy(), "errorCol",
        "optional string output column: when set, a row that cannot be embedded (the tokenizer or the model "
        "fails on it alone) keeps null outputs and gets the reason here instead of failing the job; null for "
        "every other row. Unset: such a row fails the task, naming its partition and index",
        typeConverter=TypeConverters.toString)

    @keyword_only
    def __init__(self, *, modelPath=None, inputCol="text", pairCol=None, maxSeqLength=128, batchSize=32,
                 windowSize=1024, pooledOutputCol="pooled_output", sequenceOutputCol=None,
                 encoderOutputsCol=None, encoderLayers=None, pooling="auto", normalize=False,
                 outputType="array", device="auto", intraOpThreads=0, reuseDuplicates=True, tokensCol=None,
                 offsetsCol=None, offsetUnit="codepoint", errorCol=None, textPrefix="",
                 pairPrefix=""):
        super().__init__()
        self._java_obj = self._new_java_obj(JAVA_CLASS, self.uid)
        # The Java stage's defaults. batchSize stays a default (not set), so a GPU task still uses 128.
        self._setDefault(inputCol="text", maxSeqLength=128, batchSize=32, windowSize=1024,
                         pooledOutputCol="pooled_output", pooling="auto", normalize=False, outputType="array",
                         device="auto", intraOpThreads=0, reuseDuplicates=True, offsetUnit="codepoint",
                         textPrefix="", pairPrefix="")
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, modelPath=None, inputCol="text", pairCol=None, maxSeqLength=128, batchSize=32,
                  windowSize=1024, pooledOutputCol="pooled_output", sequenceOutputCol=None,
                  encoderOutputsCol=None, encoderLayers=None, pooling="auto", normalize=False,
                  outputType="array", device="auto", intraOpThreads=0, reuseDuplicates=True, tokensCol=None,
                  offsetsCol=None, offsetUnit="codepoint", errorCol=None, textPrefix="",
                  pairPrefix=""):
        """Sets the Params given by keyword; the others keep their values."""
        return self._set(**self._input_kwargs)

    @classmethod
    def read(cls):
        """A reader of stages saved by ``write()`` (from Python, Java or Scala)."""
        return _TextEmbedderReader(cls)

    # ---- setters ----

    def setModelPath(self, value):
        return self._set(modelPath=value)

    def setInputCol(self, value):
        return self._set(inputCol=value)

    def setPairCol(self, value):
        return self._set(pairCol=value)

    def setMaxSeqLength(self, value):
        return self._set(maxSeqLength=value)

    def setBatchSize(self, value):
        return self._set(batchSize=value)

    def setWindowSize(self, value):
        return self._set(windowSize=value)

    def setPooledOutputCol(self, value):
        return self._set(pooledOutputCol=value)

    def setSequenceOutputCol(self, value):
        return self._set(sequenceOutputCol=value)

    def setEncoderOutputsCol(self, value):
        return self._set(encoderOutputsCol=value)

    def setEncoderLayers(self, value):
        return self._set(encoderLayers=value)

    def setPooling(self, value):
        return self._set(pooling=value)

    def setNormalize(self, value):
        return self._set(normalize=value)

    def setOutputType(self, value):
        return self._set(outputType=value)

    def setDevice(self, value):
        return self._set(device=value)

    def setIntraOpThreads(self, value):
        return self._set(intraOpThreads=value)

    def setReuseDuplicates(self, value):
        return self._set(reuseDuplicates=value)

    def setTokensCol(self, value):
        return self._set(tokensCol=value)

    def setOffsetsCol(self, value):
        return self._set(offsetsCol=value)

    def setOffsetUnit(self, value):
        return self._set(offsetUnit=value)

    def setErrorCol(self, value):
        return self._set(errorCol=value)

    def setTextPrefix(self, value):
        return self._set(textPrefix=value)

    def setPairPrefix(self, value):
        return self._set(pairPrefix=value)

    # ---- getters (None for an optional Param that is not set) ----

    def _get_or_none(self, param):
        return self.getOrDefault(param) if self.isDefined(param) else None

    def getModelPath(self):
        return self._get_or_none(self.modelPath)

    def getInputCol(self):
        return self.getOrDefault(self.inputCol)

    def getPairCol(self):
        return self._get_or_none(self.pairCol)

    def getMaxSeqLength(self):
        return self.getOrDefault(self.maxSeqLength)

    def getBatchSize(self):
        return self.getOrDefault(self.batchSize)

    def getWindowSize(self):
        return self.getOrDefault(self.windowSize)

    def getPooledOutputCol(self):
        return self.getOrDefault(self.pooledOutputCol)

    def getSequenceOutputCol(self):
        return self._get_or_none(self.sequenceOutputCol)

    def getEncoderOutputsCol(self):
        return self._get_or_none(self.encoderOutputsCol)

    def getEncoderLayers(self):
        return self._get_or_none(self.encoderLayers)

    def getPooling(self):
        return self.getOrDefault(self.pooling)

    def getNormalize(self):
        return self.getOrDefault(self.normalize)

    def getOutputType(self):
        return self.getOrDefault(self.outputType)

    def getDevice(self):
        return self.getOrDefault(self.device)

    def getIntraOpThreads(self):
        return self.getOrDefault(self.intraOpThreads)

    def getReuseDuplicates(self):
        return self.getOrDefault(self.reuseDuplicates)

    def getTokensCol(self):
        return self._get_or_none(self.tokensCol)

    def getOffsetsCol(self):
        return self._get_or_none(self.offsetsCol)

    def getOffsetUnit(self):
        return self.getOrDefault(self.offsetUnit)

    def getErrorCol(self):
        return self._get_or_none(self.errorCol)

    def getTextPrefix(self):
        return self.getOrDefault(self.textPrefix)

    def getPairPrefix(self):
        return self.getOrDefault(self.pairPrefix)


class _TextEmbedderReader(JavaMLReader):
    """JavaMLReader derives the Java class from the Python module name (pyspark.ml.x -> org.apache.spark.ml.x),
    which does not fit a third-party stage: name it."""

    @classmethod
    def _java_loader_class(cls, clazz):
        return JAVA_CLASS
