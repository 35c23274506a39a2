package org.kluespark.job;

import io.delta.tables.DeltaTable;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.CreateTableWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kluespark.stage.TextEmbedder;

/**
 * {@code embed --incremental}: embeds only the input rows whose id is not in the Delta output yet and adds them
 * in one Delta transaction; a first run creates the table with every row and the {@link EmbeddingTableProperties}
 * in one transaction too. {@code --mode overwrite} replaces the table with an empty one carrying this run's
 * properties, then adds every row.
 *
 * <p>Why an insert-only MERGE ({@code WHEN NOT MATCHED THEN INSERT *}) and not an anti-join plus a plain append:
 * both embed only the rows missing from the snapshot read at the start (the model is the cost, so the anti-join
 * against the table's ids runs first, before the stage, in either form). What differs is the commit. The MERGE
 * joins its source against the table again inside its own transaction and registers that read with Delta, so
 * <ul>
 *   <li>a run that commits while this one embeds makes this commit fail ({@code ConcurrentAppendException}:
 *       files were added that this transaction read as absent) instead of adding those ids a second time; the
 *       next run adds what is still missing, once;
 *   <li>a run that committed before this transaction started only has its ids skipped by the MERGE's join.
 * </ul>
 * A {@code write.format("delta").mode("append")} commit is a blind append unless Delta happens to see the
 * anti-join's scan of the same table inside the write's transaction, which depends on how the plan was built;
 * two racing runs could then both commit the same ids. The MERGE's extra cost is one more scan of the id column
 * of the table (insert-only MERGE is a left anti-join on the id and writes only new files, no rewrite), small
 * beside running the model on the new rows. A failure anywhere (a task that throws, a killed executor or
 * driver) leaves no commit, so the table stays at its version; files a failed run wrote are unreferenced
 * (VACUUM removes them).
 */
final class IncrementalEmbed {
  // Delta copies this session setting into the commit's userMetadata: how this run finds its own commit.
  private static final String COMMIT_METADATA = "spark.databricks.delta.commitInfo.userMetadata";
  // Commits other writers may have made after this run's, among which it looks for its own.
  private static final int HISTORY_SEARCHED = 100;
  private static final Object COMMIT_LOCK = new Object();

  private final SparkSession spark;
  private final PrintWriter err;
  private final Duration progressInterval;

  IncrementalEmbed(SparkSession spark, PrintWriter err, Duration progressInterval) {
    this.spark = spark;
    this.err = err;
    this.progressInterval = progressInterval;
  }

  /**
   * @param input the rows to embed (all of them, old and new); {@code idCol} must be unique and non-null
   * @param embedder the stage with every option set, its text column included
   * @param replace {@code --mode overwrite}: replace the table with every input row and this run's properties
   * @param partitions {@code --partitions}, or null for automatic
   * @param partitionBy {@code --partition-by}: the columns a new (or replaced) table is partitioned by; an
   *     existing table keeps its own, and another list is refused
   */
  IncrementalResult run(Dataset<Row> input, TextEmbedder embedder, String idCol, DeltaTarget target, boolean replace,
      Integer partitions, List<String> partitionBy) {
    long start = System.nanoTime();
    DeltaSupport.requireJar("--incremental", DeltaSupport::classPresent);
    InputIds.requireColumn(input, idCol);
    StructType outputSchema = embedder.transformSchema(input.schema()); // columns and model, before any job
    EmbeddingTableProperties properties = EmbeddingTableProperties.of(embedder, idCol);
    DeltaTable found = target.exists(spark) ? target.requireDelta(spark) : null;
    if (found != null && !replace) {
      properties.requireSameAs(DeltaTarget.properties(found), target.toString());
      requireSameColumns(found.toDF().schema(), outputSchema, target);
      requireSamePartitioning(found, partitionBy, target);
    }
    long inputRows = InputIds.requireUnique(input, idCol);
    if (found != null && replace) {
      // An empty table with this run's properties first, then the MERGE below adds every row. A failure between
      // the two commits leaves that empty table, which the next run fills; never old vectors under new properties.
      target.replaceEmpty(spark, outputSchema, properties.all(), partitionBy);
    }
    DeltaTable existing = found != null && replace ? target.requireDelta(spark) : found;

    String runId = "kluespark-incremental-" + UUID.randomUUID();
    EmbedJob job = new EmbedJob(spark, err, progressInterval);
    EmbedResult embedded;
    if (existing == null) {
      CreateTableWriter<Row> writer = embedder.transform(spread(input, partitions)).writeTo(target.identifier()).using("delta");
      if (!partitionBy.isEmpty()) {
        // A Scala List: the one argument type both Spark lines take (Scala 2.12 Seq, 2.13 immutable.Seq).
        List<Column> rest = partitionBy.stream().skip(1).map(functions::col).toList();
        writer = writer.partitionedBy(functions.col(partitionBy.get(0)),
            scala.collection.JavaConverters.asScalaBuffer(rest).toList());
      }
      for (Map.Entry<String, String> property : properties.all().entrySet()) {
        writer = writer.tableProperty(property.getKey(), property.getValue());
      }
      CreateTableWriter<Row> create = writer;
      embedded = job.tracked(input, target.toString(), start, () -> tagged(runId, () -> create(create, target)));
    } else {
      Dataset<Row> ids = existing.toDF().select(idCol);
      Dataset<Row> missing = input.join(ids, input.col(idCol).equalTo(ids.col(idCol)), "left_anti");
      if (missing.isEmpty()) {
        long version = existing.history(1).select("version").head().getLong(0);
        return new IncrementalResult(0, inputRows, version, false, (System.nanoTime() - start) / 1e9,
            target.toString(), org.kluespark.metrics.EmbeddingMetrics.ZERO);
      }
      String quoted = "`" + idCol.replace("`", "``") + "`";
      Dataset<Row> source = embedder.transform(spread(missing, partitions));
      embedded = job.tracked(input, target.toString(), start, () -> tagged(runId, () -> merge(existing, source,
          "t." + quoted + " = s." + quoted, target)));
    }
    DeltaTable written = target.requireDelta(spark);
    Row commit = committed(written, runId);
    if (commit == null) { // a MERGE that found every id present (another run added them) commits nothing
      return new IncrementalResult(0, inputRows, written.history(1).select("version").head().getLong(0), false,
          embedded.seconds(), target.toString(), embedded.metrics());
    }
    long added = addedRows(commit.getJavaMap(1));
    return new IncrementalResult(added, inputRows - added, commit.getLong(0), true, embedded.seconds(),
        target.toString(), embedded.metrics());
  }

  /** The rows to embed over the cluster's task slots (or --partitions), after the anti-join: only when there are any. */
  private Dataset<Row> spread(Dataset<Row> rows, Integer partitions) {
    return InputSpreader.spread(rows, partitions, spark.sparkContext().defaultParallelism(), err);
  }

  /** The insert-only MERGE; a concurrent commit that added files this one read as absent fails it, as it should. */
  private static void merge(DeltaTable table, Dataset<Row> source, String condition, DeltaTarget target) {
    try {
      table.as("t").merge(source.as("s"), condition).whenNotMatched().insertAll().execute();
    } catch (ConcurrentModificationException e) { // Delta's ConcurrentAppendException and its siblings
      throw new IllegalStateException("Another run changed " + target + " while this one was embedding, so this "
          + "run committed nothing (no id is added twice). Run again: it adds the rows still missing. Delta: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  /** CREATE TABLE AS SELECT: the rows and the properties in one commit. */
  private static void create(CreateTableWriter<Row> writer, DeltaTarget target) {
    try {
      writer.create();
    } catch (TableAlreadyExistsException e) {
      throw new IllegalStateException(target + " was created by another run while this one was embedding; nothing "
          + "was written. Run again: it adds the rows the table lacks.", e);
    }
  }

  /**
   * Runs {@code write} with {@code runId} as the commit's userMetadata, restoring the session's own setting. Delta
   * reads it from the session's conf, which the session's threads share, so runs in one JVM write one at a time
   * (on one table they would conflict anyway; separate jobs are not held up).
   */
  private void tagged(String runId, Runnable write) {
    synchronized (COMMIT_LOCK) {
      taggedLocked(runId, write);
    }
  }

  private void taggedLocked(String runId, Runnable write) {
    String previous = spark.conf().contains(COMMIT_METADATA) ? spark.conf().get(COMMIT_METADATA) : null;
    spark.conf().set(COMMIT_METADATA, runId);
    try {
      write.run();
    } finally {
      if (previous == null) {
        spark.conf().unset(COMMIT_METADATA);
      } else {
        spark.conf().set(COMMIT_METADATA, previous);
      }
    }
  }

  /** This run's commit (version and operation metrics), or null when it committed nothing. */
  private static Row committed(DeltaTable table, String runId) {
    List<Row> commits = table.history(HISTORY_SEARCHED)
        .where(org.apache.spark.sql.functions.col("userMetadata").equalTo(runId))
        .select("version", "operationMetrics").collectAsList();
    return commits.isEmpty() ? null : commits.get(0);
  }

  /** MERGE reports numTargetRowsInserted; CREATE (OR REPLACE) TABLE AS SELECT reports numOutputRows. */
  private static long addedRows(Map<String, String> metrics) {
    String value = metrics.getOrDefault("numTargetRowsInserted", metrics.get("numOutputRows"));
    if (value == null) {
      throw new IllegalStateException("Delta's commit metrics have no row count: " + metrics);
    }
    return Long.parseLong(value);
  }

  /** The new rows must fit the table: same columns and types (nullability aside), as the first run wrote them. */
  private static void requireSameColumns(StructType table, StructType run, DeltaTarget target) {
    String tableColumns = describe(table);
    String runColumns = describe(run);
    if (!tableColumns.equals(runColumns)) {
      throw new IllegalArgumentException(target + " has columns " + tableColumns + " but this run writes "
          + runColumns + ". Keep the input's columns and the output options of the first run, write to a new "
          + "output, or pass --mode overwrite to replace the table.");
    }
  }

  /** An existing table keeps its partitioning: appending under another one would need a rewrite of the table. */
  private static void requireSamePartitioning(DeltaTable table, List<String> partitionBy, DeltaTarget target) {
    if (partitionBy.isEmpty()) {
      return;
    }
    List<String> existing = table.detail().select("partitionColumns").head().getList(0);
    if (!existing.equals(partitionBy)) {
      throw new IllegalArgumentException("--partition-by " + String.join(",", partitionBy) + ": " + target
          + " is partitioned by " + (existing.isEmpty() ? "nothing" : String.join(",", existing)) + ". Drop "
          + "--partition-by (new rows go into the table's own partitions), or pass --mode overwrite to rebuild it.");
    }
  }

  private static String describe(StructType schema) {
    return java.util.Arrays.stream(schema.fields()).map(IncrementalEmbed::describe)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static String describe(StructField field) {
    return field.name() + " " + field.dataType().simpleString();
  }
}
