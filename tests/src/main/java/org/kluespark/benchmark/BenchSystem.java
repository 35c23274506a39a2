package org.kluespark.benchmark;

import java.util.Arrays;
import java.util.List;

/**
 * The systems the harness compares, by their command-line names: how each embeds ({@link Runner}), which
 * model bundle it runs ({@link Bundle}) and whether the stage embeds each distinct text once (duplicate reuse).
 */
public enum BenchSystem {
  /** Plain DJL tokenizer + ONNX Runtime loop, rows sorted by token count before batching: the bound. */
  RAW_SORTED("raw-sorted", Runner.RAW_SORTED, Bundle.MODEL, false),
  /** The same loop with batches cut in file order. */
  RAW_FILE_ORDER("raw-file-order", Runner.RAW_FILE_ORDER, Bundle.MODEL, false),
  /** A Spark SQL UDF embedding one row per call with a static session and tokenizer (what users write). */
  NAIVE_UDF("naive-udf", Runner.NAIVE_UDF, Bundle.MODEL, false),
  /** kluespark's TextEmbedder stage, Parquet in, Parquet out; every row embedded (duplicate reuse off). */
  STAGE("stage", Runner.STAGE, Bundle.MODEL, false),
  /** kluespark's SQL function, {@code SELECT *, klue_embed(text) FROM t}, Parquet in, Parquet out; reuse off. */
  SQL_UDF("sql-udf", Runner.SQL_UDF, Bundle.MODEL, false),
  /** The stage with duplicate reuse: each distinct text of a window embedded once. */
  STAGE_REUSE("stage-reuse", Runner.STAGE, Bundle.MODEL, true),
  /** raw-sorted on langchain4j's int8 all-MiniLM-L6-v2 (ONNX Runtime's Python quantizer): the int8 anchor. */
  RAW_SORTED_LC4J_INT8("raw-sorted-lc4j-int8", Runner.RAW_SORTED, Bundle.LC4J_INT8, false),
  /** raw-sorted on the {@code --int8-model} bundle. */
  RAW_SORTED_INT8("raw-sorted-int8", Runner.RAW_SORTED, Bundle.INT8, false),
  /** The stage on the {@code --int8-model} bundle, reuse off. */
  STAGE_INT8("stage-int8", Runner.STAGE, Bundle.INT8, false),
  /** The stage on the {@code --int8-model} bundle with duplicate reuse. */
  STAGE_INT8_REUSE("stage-int8-reuse", Runner.STAGE, Bundle.INT8, true);

  /** How a system embeds. */
  public enum Runner {
    RAW_SORTED(false), RAW_FILE_ORDER(false), NAIVE_UDF(true), STAGE(true), SQL_UDF(true);

    private final boolean spark;

    Runner(boolean spark) {
      this.spark = spark;
    }
  }

  /** Which model bundle a system runs. */
  public enum Bundle {
    /** {@code --model} (float32). */
    MODEL,
    /** langchain4j's int8 all-MiniLM-L6-v2 ({@link AnchorModel}). */
    LC4J_INT8,
    /** {@code --int8-model}. */
    INT8
  }

  private final String cliName;
  private final Runner runner;
  private final Bundle bundle;
  private final boolean reuseDuplicates;

  BenchSystem(String cliName, Runner runner, Bundle bundle, boolean reuseDuplicates) {
    this.cliName = cliName;
    this.runner = runner;
    this.bundle = bundle;
    this.reuseDuplicates = reuseDuplicates;
  }

  public String cliName() {
    return cliName;
  }

  public Runner runner() {
    return runner;
  }

  public Bundle bundle() {
    return bundle;
  }

  /** Whether the stage runs with {@code reuseDuplicates=true} (only stage systems). */
  public boolean reuseDuplicates() {
    return reuseDuplicates;
  }

  /** Whether the system runs in Spark (local[2]) and reads its input from Parquet. */
  public boolean spark() {
    return runner.spark;
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(BenchSystem::cliName).toList();
  }

  public static BenchSystem fromName(String name) {
    for (BenchSystem system : values()) {
      if (system.cliName.equalsIgnoreCase(name.trim())) {
        return system;
      }
    }
    throw new IllegalArgumentException("Unknown system '" + name + "', expected one of " + names());
  }

  @Override
  public String toString() {
    return cliName;
  }
}
