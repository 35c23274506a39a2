package org.kluespark.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one child JVM does, passed on its command line as {@code --key value} pairs.
 *
 * <p>{@code prepare} writes a workload's texts as the Parquet inputs of the Spark systems (the full input
 * and the warm-up prefix, 2 files each); {@code run} measures one system on one workload.
 */
record ChildSpec(String mode, BenchSystem system, String workload, String model, Path modelDir, Path texts,
    Path parquet, Path warmupParquet, int warmupRows, int batchSize, int maxSeqLength, int rawThreads,
    int udfThreads, Path scratch, int run) {

  static final String PREPARE = "prepare";
  static final String RUN = "run";

  List<String> toArgs() {
    List<String> args = new ArrayList<>();
    add(args, "mode", mode);
    add(args, "system", system == null ? null : system.cliName());
    add(args, "workload", workload);
    add(args, "model", model);
    add(args, "model-dir", modelDir);
    add(args, "texts", texts);
    add(args, "parquet", parquet);
    add(args, "warmup-parquet", warmupParquet);
    add(args, "warmup-rows", warmupRows);
    add(args, "batch-size", batchSize);
    add(args, "max-seq-length", maxSeqLength);
    add(args, "raw-threads", rawThreads);
    add(args, "udf-threads", udfThreads);
    add(args, "scratch", scratch);
    add(args, "run", run);
    return args;
  }

  static ChildSpec parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("Invalid child argument '" + args[i] + "'");
      }
      values.put(args[i].substring(2), args[i + 1]);
    }
    String system = values.get("system");
    return new ChildSpec(values.get("mode"), system == null ? null : BenchSystem.fromName(system),
        values.get("workload"), values.get("model"), path(values.get("model-dir")), path(values.get("texts")),
        path(values.get("parquet")), path(values.get("warmup-parquet")), num(values.get("warmup-rows")),
        num(values.get("batch-size")), num(values.get("max-seq-length")), num(values.get("raw-threads")),
        num(values.get("udf-threads")), path(values.get("scratch")), num(values.get("run")));
  }

  private static void add(List<String> args, String key, Object value) {
    if (value != null) {
      args.add("--" + key);
      args.add(value.toString());
    }
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }

  private static int num(String value) {
    return value == null ? 0 : Integer.parseInt(value);
  }
}
