// Databricks notebook source
// MAGIC %md
// MAGIC # kluespark on Databricks (Scala)
// MAGIC
// MAGIC The Java API directly: convert a HuggingFace checkpoint, embed a table with
// MAGIC `org.kluespark.stage.TextEmbedder`, save and load a Pipeline.
// MAGIC
// MAGIC **Cluster**: Databricks Runtime 17.3 LTS ML with GPU (`17.3.x-gpu-ml-scala2.13`; Spark 4.0, Scala 2.13),
// MAGIC dedicated (single user) access mode, GPU workers such as `g5.xlarge`; Spark config
// MAGIC `spark.task.resource.gpu.amount 0.25`. Adjust names to your workspace.
// MAGIC
// MAGIC **Libraries**: JAR `/Volumes/main/kluespark/jars/kluespark-job-0.1.0-SNAPSHOT-spark.jar` (the build's
// MAGIC `job/target/kluespark-job-*-spark.jar`) and Maven `com.microsoft.onnxruntime:onnxruntime_gpu:1.28.0`.

// COMMAND ----------

val modelDir = "/Volumes/main/kluespark/models/klue-bert-base"
val pipelineDir = "/Volumes/main/kluespark/pipelines/ynat-logreg"

// COMMAND ----------

// MAGIC %md
// MAGIC ## 1. Convert a HuggingFace checkpoint (once)
// MAGIC
// MAGIC Downloads `klue/bert-base` into the HF cache (`HF_HOME`, `HF_TOKEN` from the cluster's environment
// MAGIC variables) and writes the bundle into the volume through its local (FUSE) path.

// COMMAND ----------

import java.nio.file.Paths
import org.kluespark.convert.{CheckpointConverter, ExportOptions}
import org.kluespark.hub.{DownloadListener, HubDownloader, HubSettings}

val checkpoint = new HubDownloader(HubSettings.fromEnvironment(), DownloadListener.NONE).download("hf:klue/bert-base")
val converted = CheckpointConverter.convert(checkpoint, Paths.get(modelDir), ExportOptions.defaults(),
  (line: String) => println(line))
println(s"hidden size ${converted.config().hiddenSize()}, pooler: ${converted.hasPooler()}")

// COMMAND ----------

// MAGIC %md
// MAGIC ## 2. Embed a table

// COMMAND ----------

import org.kluespark.stage.TextEmbedder

val sts = spark.read.table("main.kluespark.klue_sts_dev")
val embedder = new TextEmbedder()
  .setModelPath(modelDir)
  .setInputCol("sentence1")
  .setPairCol("sentence2")
  .setMaxSeqLength(128)
  .setSequenceOutputCol("sequence_output")
  .setDevice("auto")
val embedded = embedder.transform(sts)
embedded.write.format("delta").mode("overwrite").saveAsTable("main.kluespark.klue_sts_dev_embedded")
display(embedded.select("sentence1", "pooled_output").limit(5))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 3. A Pipeline, saved and loaded
// MAGIC
// MAGIC The saved pipeline carries a copy of the model bundle, so it loads and runs without `modelDir`.

// COMMAND ----------

import org.apache.spark.ml.{Pipeline, PipelineModel, PipelineStage}
import org.apache.spark.ml.classification.LogisticRegression

val ynat = spark.read.table("main.kluespark.ynat_train") // title (string), label (double)
val features = new TextEmbedder()
  .setModelPath(modelDir)
  .setInputCol("title")
  .setPooledOutputCol("features")
  .setOutputType("vector")
  .setNormalize(true)
val model = new Pipeline().setStages(Array[PipelineStage](features, new LogisticRegression().setMaxIter(100))).fit(ynat)
model.write.overwrite().save(pipelineDir)

val reloaded = PipelineModel.load(pipelineDir)
display(reloaded.transform(spark.read.table("main.kluespark.ynat_dev")).select("title", "label", "prediction").limit(10))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 4. Nightly: embed only the new rows
// MAGIC
// MAGIC `kluespark embed --incremental --id-col guid` adds the rows of the input table whose `guid` the Delta output
// MAGIC table lacks, in one transaction (an insert-only MERGE); a rerun adds nothing, a failed run leaves the table as
// MAGIC it was, and a run with another model or pooling than the table's properties record is refused.
// MAGIC `deploy/databricks/job.json` runs the same line every night as a JAR task.

// COMMAND ----------

import org.kluespark.job.KlueSparkCli

val exitCode = KlueSparkCli.run(Array("embed", "--model", modelDir, "--input-table", "main.kluespark.klue_sts",
  "--text-col", "sentence1", "--pair-col", "sentence2", "--output-table", "main.kluespark.klue_sts_embeddings",
  "--incremental", "--id-col", "guid"))
require(exitCode == 0, s"kluespark embed exited with $exitCode; the reason is in the driver log (stderr)")
display(spark.sql("SHOW TBLPROPERTIES main.kluespark.klue_sts_embeddings").where("key LIKE 'kluespark.%'"))
