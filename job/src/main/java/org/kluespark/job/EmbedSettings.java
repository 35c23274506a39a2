package org.kluespark.job;

import java.time.Duration;
import java.util.List;
import org.kluespark.stage.TextEmbedder;

/**
 * The embed options after the command line and the --conf file are merged. Stage options left null keep
 * the {@link TextEmbedder}'s own defaults rather than a copy of them here.
 */
record EmbedSettings(
    String model,
    String input, // null when inputTable is given
    String inputTable,
    InputFormat format, // null: infer from the input's extension
    String textCol, // null: the format's default column
    String pairCol,
    String output, // null when outputTable is given
    String outputTable,
    WriteMode mode,
    OutputFormat outputFormat, // null: parquet for a path; for a table, see OutputTarget.table
    List<String> partitionBy,
    String pooling,
    Integer maxSeqLength,
    Integer batchSize,
    boolean sequenceOutput,
    Boolean normalize,
    String outputType,
    String device,
    String errorCol, // null: a row that cannot be embedded fails the job
    boolean reuseDuplicates, // false: --no-reuse-duplicates
    String master, // null: spark-submit's master, else local[*]
    Integer partitions, // null: the input's, raised to the cluster's parallelism
    int show,
    Duration progressInterval, // zero: no progress lines
    boolean verbose,
    boolean incremental, // --incremental: add only the rows whose id is not in the Delta output yet
    String idCol, // the row id of --incremental
    String textPrefix, // null: none
    String pairPrefix) { // null: none; needs pairCol

  static final String SEQUENCE_OUTPUT_COL = "sequence_output";

  EmbedSettings {
    if (partitions != null && partitions <= 0) {
      throw new IllegalArgumentException("--partitions must be 1 or more, got " + partitions + ".");
    }
    if (show < 0) {
      throw new IllegalArgumentException("--show must be 0 or more, got " + show + ".");
    }
    if (progressInterval.isNegative()) {
      throw new IllegalArgumentException("--progress-interval must be 0 (off) or more seconds, got "
          + progressInterval.toMillis() / 1000.0 + ".");
    }
    if (incremental && idCol == null) {
      throw new IllegalArgumentException("--incremental needs --id-col COL: the input column that identifies a row "
          + "(unique, never null), so a run can tell which rows the output already has.");
    }
    if (pairPrefix != null && !pairPrefix.isEmpty() && pairCol == null) {
      throw new IllegalArgumentException("--pair-prefix '" + pairPrefix + "' needs --pair-col: without a second "
          + "text it would go before nothing. Use --text-prefix for the texts of --text-col.");
    }
    if (idCol != null && !incremental) {
      throw new IllegalArgumentException("--id-col is only used with --incremental; add --incremental or drop "
          + "--id-col.");
    }
  }

  /** @param resolvedFormat the input path's format, or null for a table */
  String textColumn(InputFormat resolvedFormat) {
    if (textCol != null) {
      return textCol;
    }
    return resolvedFormat == null ? InputFormat.DEFAULT_TEXT_COLUMN : resolvedFormat.defaultTextColumn();
  }

  InputSource inputSource() {
    return inputTable != null ? InputSource.table(inputTable, format) : InputSource.path(input, format);
  }

  OutputTarget outputTarget(boolean deltaOnClasspath) {
    if (incremental) {
      if (outputFormat == OutputFormat.PARQUET) {
        throw new IllegalArgumentException("--incremental writes a Delta table (one transaction per run, ids "
            + "checked inside it); drop --output-format parquet or pass --output-format delta.");
      }
      return outputTable != null
          ? OutputTarget.table(outputTable, OutputFormat.DELTA, mode, partitionBy, deltaOnClasspath)
          : OutputTarget.path(output, OutputFormat.DELTA, mode, partitionBy);
    }
    return outputTable != null
        ? OutputTarget.table(outputTable, outputFormat, mode, partitionBy, deltaOnClasspath)
        : OutputTarget.path(output, outputFormat, mode, partitionBy);
  }

  /**
   * A stage with every option but the text column set (that one depends on the input's format). Invalid values
   * fail here, before any Spark work, with the stage's message prefixed by the option's name.
   */
  TextEmbedder newEmbedder() {
    TextEmbedder embedder = new TextEmbedder();
    set("--model", () -> embedder.setModelPath(model));
    if (pairCol != null) {
      set("--pair-col", () -> embedder.setPairCol(pairCol));
    }
    if (textPrefix != null) {
      set("--text-prefix", () -> embedder.setTextPrefix(textPrefix));
    }
    if (pairPrefix != null) {
      set("--pair-prefix", () -> embedder.setPairPrefix(pairPrefix));
    }
    if (pooling != null) {
      set("--pooling", () -> embedder.setPooling(pooling));
    }
    if (maxSeqLength != null) {
      set("--max-seq-length", () -> embedder.setMaxSeqLength(maxSeqLength));
    }
    if (batchSize != null) {
      set("--batch-size", () -> embedder.setBatchSize(batchSize));
    }
    if (sequenceOutput) {
      embedder.setSequenceOutputCol(SEQUENCE_OUTPUT_COL);
    }
    if (normalize != null) {
      embedder.setNormalize(normalize);
    }
    if (outputType != null) {
      set("--output-type", () -> embedder.setOutputType(outputType));
    }
    if (device != null) {
      set("--device", () -> embedder.setDevice(device));
    }
    if (errorCol != null) {
      set("--error-col", () -> embedder.setErrorCol(errorCol));
    }
    if (!reuseDuplicates) {
      embedder.setReuseDuplicates(false);
    }
    return embedder;
  }

  static void setTextColumn(TextEmbedder embedder, String column) {
    set("--text-col", () -> embedder.setInputCol(column));
  }

  private static void set(String option, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }
}
