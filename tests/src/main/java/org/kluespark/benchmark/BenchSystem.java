package org.kluespark.benchmark;

import java.util.Arrays;
import java.util.List;

/** The systems the harness compares, by their command-line names. */
public enum BenchSystem {
  /** Plain DJL tokenizer + ONNX Runtime loop, rows sorted by token count before batching: the bound. */
  RAW_SORTED("raw-sorted", false),
  /** The same loop with batches cut in file order. */
  RAW_FILE_ORDER("raw-file-order", false),
  /** A Spark SQL UDF embedding one row per call with a static session and tokenizer (what users write). */
  NAIVE_UDF("naive-udf", true),
  /** kluespark's TextEmbedder stage, Parquet in, Parquet out. */
  STAGE("stage", true),
  /** kluespark's SQL function, {@code SELECT *, klue_embed(text) FROM t}, Parquet in, Parquet out. */
  SQL_UDF("sql-udf", true);

  private final String cliName;
  private final boolean spark;

  BenchSystem(String cliName, boolean spark) {
    this.cliName = cliName;
    this.spark = spark;
  }

  public String cliName() {
    return cliName;
  }

  /** Whether the system runs in Spark (local[2]) and reads its input from Parquet. */
  public boolean spark() {
    return spark;
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
