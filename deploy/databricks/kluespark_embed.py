# Databricks notebook source
# MAGIC %md
# MAGIC # kluespark on Databricks (Python)
# MAGIC
# MAGIC Embeds a Korean text table with a KLUE BERT model inside the executors' JVMs (ONNX Runtime, GPU when the
# MAGIC cluster has one), from PySpark through the `kluespark` wrapper of `org.kluespark.stage.TextEmbedder`.
# MAGIC
# MAGIC **Cluster** (names to adjust to your workspace and cloud):
# MAGIC - Databricks Runtime 17.3 LTS ML with GPU (`17.3.x-gpu-ml-scala2.13`: Spark 4.0, Scala 2.13), or
# MAGIC   17.3 LTS (`17.3.x-scala2.13`) on CPU nodes. GPU workers, e.g. `g5.xlarge` (AWS),
# MAGIC   `Standard_NC4as_T4_v3` (Azure). The runtime must provide CUDA 12 and cuDNN 9 for ONNX Runtime 1.28.
# MAGIC - Access mode **dedicated (single user)**: the wrapper and the CLI call the driver JVM through py4j,
# MAGIC   which standard/shared access mode and serverless compute do not allow. On standard (shared) access
# MAGIC   mode, Spark Connect reaches the SQL functions `klue_embed`, `klue_embed_pair` instead (README,
# MAGIC   "Databricks shared and serverless compute").
# MAGIC - Spark config: `spark.task.resource.gpu.amount 0.25` lets four tasks share each GPU (one ONNX Runtime
# MAGIC   session per executor serves them).
# MAGIC
# MAGIC **Libraries** (Compute > Libraries > Install new):
# MAGIC 1. JAR `/Volumes/main/kluespark/jars/kluespark-job-0.1.0-SNAPSHOT-spark.jar` (upload
# MAGIC    `job/target/kluespark-job-*-spark.jar` from `./mvnw -B -q package -DskipTests`).
# MAGIC 2. Maven `com.microsoft.onnxruntime:onnxruntime_gpu:1.28.0` (CPU and CUDA providers; not 1.29.0).
# MAGIC 3. Python wheel `/Volumes/main/kluespark/jars/kluespark-0.1.0.dev0-py3-none-any.whl`
# MAGIC    (`cd deploy/python && python -m build`), or the `%pip install` cell below.

# COMMAND ----------

# MAGIC %pip install /Volumes/main/kluespark/jars/kluespark-0.1.0.dev0-py3-none-any.whl

# COMMAND ----------

# Paths used below: a Unity Catalog volume (adjust catalog/schema/volume).
MODEL_DIR = "/Volumes/main/kluespark/models/klue-bert-base"
PIPELINE_DIR = "/Volumes/main/kluespark/pipelines/ynat-logreg"


def kluespark_cli(*args):
    """Runs the kluespark CLI (convert, info, embed, synth) in the driver JVM, on the notebook's SparkSession.

    Its progress and summary lines go to the driver's stdout/stderr (Compute > Driver logs); a failure raises.
    """
    gateway = spark.sparkContext._gateway
    java_args = gateway.new_array(gateway.jvm.java.lang.String, len(args))
    for i, arg in enumerate(args):
        java_args[i] = arg
    code = gateway.jvm.org.kluespark.job.KlueSparkCli.run(java_args)
    if code != 0:
        raise RuntimeError(f"kluespark {args[0]} exited with {code}; the reason is in the driver log (stderr)")

# COMMAND ----------

# MAGIC %md
# MAGIC ## 1. Convert a HuggingFace checkpoint to a model bundle (once)
# MAGIC
# MAGIC `kluespark convert` downloads `klue/bert-base` into the HF cache (`HF_HOME`; set `HF_TOKEN` as a cluster
# MAGIC environment variable for gated models) and writes `model.onnx`, `tokenizer.json` and `config.json` into
# MAGIC the volume. Pure Java: no PyTorch, no transformers.

# COMMAND ----------

convert_args = ["convert", "hf:klue/bert-base", "--output", MODEL_DIR, "--overwrite"]
kluespark_cli(*convert_args)
kluespark_cli("info", "--model", MODEL_DIR)
display(dbutils.fs.ls(MODEL_DIR))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 2. Embed a table with the TextEmbedder stage
# MAGIC
# MAGIC Every input column passes through; `pooled_output` is `array<float>` of 768 values per row. Sentence
# MAGIC pairs (KLUE STS, NLI) go through `pairCol` as `[CLS] a [SEP] b [SEP]`.

# COMMAND ----------

from kluespark import TextEmbedder

sts = spark.read.table("main.kluespark.klue_sts_dev")  # columns sentence1, sentence2, labels, ...
embedder = TextEmbedder(modelPath=MODEL_DIR, inputCol="sentence1", pairCol="sentence2", maxSeqLength=128,
                        device="auto")
embedded = embedder.transform(sts)
embedded.write.format("delta").mode("overwrite").saveAsTable("main.kluespark.klue_sts_dev_embedded")
display(spark.read.table("main.kluespark.klue_sts_dev_embedded").select("sentence1", "pooled_output").limit(5))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 3. A Pipeline with the embedder, saved and loaded
# MAGIC
# MAGIC `outputType="vector"` makes the pooled column an ML `Vector` for Spark ML estimators. Saving writes the
# MAGIC Params and a copy of the model bundle under the pipeline directory, so the saved pipeline runs on another
# MAGIC cluster without `MODEL_DIR`.

# COMMAND ----------

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression

ynat = spark.read.table("main.kluespark.ynat_train")  # columns title (string), label (double)
features = TextEmbedder(modelPath=MODEL_DIR, inputCol="title", pooledOutputCol="features", outputType="vector",
                        normalize=True)
model = Pipeline(stages=[features, LogisticRegression(maxIter=100)]).fit(ynat)
model.write().overwrite().save(PIPELINE_DIR)

reloaded = PipelineModel.load(PIPELINE_DIR)  # stages[0] is a kluespark.TextEmbedder again
predictions = reloaded.transform(spark.read.table("main.kluespark.ynat_dev"))
display(predictions.select("title", "label", "prediction").limit(10))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 4. Nightly: embed only the new rows (Delta tables, incremental)
# MAGIC
# MAGIC `kluespark embed --incremental --id-col guid` embeds the rows of the input table whose `guid` the output
# MAGIC table lacks and adds them in one Delta transaction (an insert-only MERGE), so a rerun adds nothing and a
# MAGIC failed run leaves the table as it was. The output table records the model's fingerprint and settings as
# MAGIC table properties; a run with another model or pooling is refused. `deploy/databricks/job.json`
# MAGIC (Jobs API 2.1) runs this line every night as a JAR task on a new GPU cluster:
# MAGIC `databricks jobs create --json @deploy/databricks/job.json`. Here, in the notebook:

# COMMAND ----------

kluespark_cli("embed", "--model", MODEL_DIR, "--input-table", "main.kluespark.klue_sts",
              "--text-col", "sentence1", "--pair-col", "sentence2",
              "--output-table", "main.kluespark.klue_sts_embeddings", "--incremental", "--id-col", "guid")
display(spark.sql("SHOW TBLPROPERTIES main.kluespark.klue_sts_embeddings").where("key LIKE 'kluespark.%'"))
