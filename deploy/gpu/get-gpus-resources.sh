#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript / spark.worker.resource.gpu.discoveryScript).
# Prints the GPUs this host's executor may use as Spark's ResourceInformation JSON:
#   {"name": "gpu", "addresses": ["0", "1"]}
# Honours CUDA_VISIBLE_DEVICES when a resource manager (YARN, k8s device plugin) already narrowed the set.
set -euo pipefail

if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  ids=$(tr ',' '\n' <<<"$CUDA_VISIBLE_DEVICES" | sed '/^\s*$/d')
else
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "get-gpus-resources.sh: nvidia-smi not found; is the NVIDIA driver installed on this node?" >&2
    exit 1
  fi
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ')
fi

addresses=$(sed 's/.*/"&"/' <<<"$ids" | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
