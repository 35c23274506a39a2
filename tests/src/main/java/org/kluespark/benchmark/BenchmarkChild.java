package org.kluespark.benchmark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kluespark.inference.SessionCache;
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.sql.KlueSqlFunctions;
import org.kluespark.sql.KlueSqlOptions;
import org.kluespark.stage.TextEmbedder;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The child JVM: measures one system on one workload (or prepares a workload's Parquet input) and prints
 * one {@link RunResult} line on stdout. Every child does an untimed warm-up pass over a prefix of the
 * workload first, in the same way as the timed pass, so class loading, JIT, Spark start-up and the model
 * load are not timed.
 */
public final class BenchmarkChild {
  static final String MASTER = "local[2]";
  static final int PARTITIONS = 2;
  static final String TEXT_COL = "text";
  static final String OUTPUT_COL = "pooled_output";
  private static final long LISTENER_DRAIN_MILLIS = 60_000;

  private BenchmarkChild() {}

  public static void main(String[] args) {
    PeakMemory memory = PeakMemory.start();
    int status = 0;
    try {
      ChildSpec spec = ChildSpec.parse(args);
      if (ChildSpec.PREPARE.equals(spec.mode())) {
        prepare(spec);
      } else if (spec.system().spark()) {
        System.out.println(runSpark(spec, memory).toLine());
      } else {
        System.out.println(runRaw(spec, memory).toLine());
      }
    } catch (Throwable t) {
      t.printStackTrace();
      status = 1;
    } finally {
      memory.close();
      System.out.flush();
    }
    System.exit(status); // Spark and ONNX Runtime leave non-daemon threads behind
  }

  // ---- raw-sorted, raw-file-order ----

  private static RunResult runRaw(ChildSpec spec, PeakMemory memory) throws Exception {
    List<String> texts = Workloads.read(spec.texts());
    boolean sorted = spec.system().runner() == BenchSystem.Runner.RAW_SORTED;
    try (PlainModel model = new PlainModel(spec.modelDir(), spec.maxSeqLength(), spec.rawThreads())) {
      RawLoop.embed(model, texts.subList(0, Math.min(spec.warmupRows(), texts.size())), spec.batchSize(), sorted);

      long start = System.nanoTime();
      RawLoop.Output output = RawLoop.embed(model, texts, spec.batchSize(), sorted);
      double seconds = (System.nanoTime() - start) / 1e9;

      long embedded = Stream.of(output.embeddings()).filter(v -> v != null).count();
      return new RunResult(spec.system().cliName(), spec.workload(), spec.model(), spec.run(), texts.size(), seconds,
          output.realTokens(), output.paddedTokens(), output.batches(), output.inferenceNanos() / 1e9,
          Integer.toString(model.intraOpThreads()), memory.peakHeapBytes(), PeakMemory.peakRssBytes(), 1, 0,
          embedded, output.embeddings().length == 0 ? 0 : output.embeddings()[0].length, -1);
    }
  }

  // ---- naive-udf, stage, sql-udf ----

  private static SparkSession spark(String name) {
    return SparkSession.builder().master(MASTER).appName("kluespark-benchmark " + name)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", Integer.toString(PARTITIONS))
        .getOrCreate();
  }

  /** Writes the texts (and the warm-up prefix) as Parquet in {@value #PARTITIONS} files, in order. */
  private static void prepare(ChildSpec spec) {
    List<String> texts = Workloads.read(spec.texts());
    SparkSession spark = spark("prepare");
    try {
      writeTexts(spark, texts, spec.parquet());
      writeTexts(spark, texts.subList(0, Math.min(spec.warmupRows(), texts.size())), spec.warmupParquet());
    } finally {
      spark.stop();
    }
  }

  private static void writeTexts(SparkSession spark, List<String> texts, Path target) {
    List<Row> rows = new ArrayList<>(texts.size());
    for (String text : texts) {
      rows.add(RowFactory.create(text));
    }
    StructType schema = new StructType().add(TEXT_COL, DataTypes.StringType, false);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    spark.createDataFrame(jsc.parallelize(rows, PARTITIONS), schema)
        .write().mode(SaveMode.Overwrite).parquet(target.toString());
  }

  private static RunResult runSpark(ChildSpec spec, PeakMemory memory) throws Exception {
    SparkSession spark = spark(spec.system().cliName());
    StageMetricsListener listener = new StageMetricsListener();
    spark.sparkContext().addSparkListener(listener);
    Path warmupOut = spec.scratch().resolve("warmup");
    Path timedOut = spec.scratch().resolve("output");
    try {
      Pass pass = switch (spec.system().runner()) {
        case STAGE -> stagePass(spec);
        case SQL_UDF -> sqlPass(spec);
        case NAIVE_UDF -> naivePass(spec);
        default -> throw new IllegalArgumentException(spec.system() + " does not run in Spark");
      };
      pass.run(spark, spec.warmupParquet(), warmupOut);
      drain(spark);
      listener.reset();
      NaiveEmbedUdf.resetCounters();

      int partitions = spark.read().parquet(spec.parquet().toString()).rdd().getNumPartitions();
      long start = System.nanoTime();
      pass.run(spark, spec.parquet(), timedOut);
      double seconds = (System.nanoTime() - start) / 1e9;
      drain(spark);
      long peakHeap = memory.peakHeapBytes();
      long peakRss = PeakMemory.peakRssBytes();

      Dataset<Row> written = spark.read().parquet(timedOut.toString());
      long rows = written.count();
      long embedded = written.filter(col(OUTPUT_COL).isNotNull()).count();
      int dimension = rows == 0 ? 0 : written.select(size(col(OUTPUT_COL))).first().getInt(0);
      if (rows != embedded) {
        throw new IllegalStateException(spec.system() + ": " + (rows - embedded) + " of " + rows
            + " output rows have no embedding");
      }
      String threads = spark.sparkContext().defaultParallelism() + "x";
      long realTokens = -1;
      long paddedTokens = -1;
      long batches = -1;
      double inferenceSeconds;
      int loads;
      long reusedRows = -1;
      if (spec.system().runner() == BenchSystem.Runner.STAGE
          || spec.system().runner() == BenchSystem.Runner.SQL_UDF) { // same named counters
        EmbeddingMetrics metrics = listener.metrics();
        realTokens = metrics.realTokens();
        paddedTokens = metrics.paddedTokens();
        batches = metrics.batches();
        inferenceSeconds = metrics.inferenceMicros() / 1e6;
        loads = SessionCache.sessionsCreated();
        // Spark leaves zero-valued accumulators out of a task's updates: a stage that has the counter reused 0 rows.
        reusedRows = listener.duplicateRows() < 0 && ReuseDuplicates.available() ? 0 : listener.duplicateRows();
        threads += spark.sparkContext().getConf().getInt("spark.task.cpus", 1); // intraOpThreads=0
      } else {
        // One row per session.run: what the model computed is exactly the real tokens.
        realTokens = NaiveEmbedUdf.TOKENS.get();
        paddedTokens = realTokens;
        batches = NaiveEmbedUdf.ROWS.get();
        inferenceSeconds = NaiveEmbedUdf.INFERENCE_NANOS.get() / 1e9;
        loads = NaiveEmbedUdf.LOADS.get();
        threads += spec.udfThreads() == 0 ? "default" : Integer.toString(spec.udfThreads());
      }
      int textRows = Workloads.read(spec.texts()).size();
      if (rows != textRows) {
        throw new IllegalStateException(spec.system() + ": wrote " + rows + " rows for " + textRows + " texts");
      }
      return new RunResult(spec.system().cliName(), spec.workload(), spec.model(), spec.run(), textRows, seconds,
          realTokens, paddedTokens, batches, inferenceSeconds, threads, peakHeap, peakRss, loads, partitions, embedded,
          dimension, reusedRows);
    } finally {
      spark.stop();
      deleteRecursively(warmupOut);
      deleteRecursively(timedOut);
    }
  }

  /** One end-to-end pass: read Parquet, embed, write Parquet. */
  @FunctionalInterface
  private interface Pass {
    void run(SparkSession spark, Path input, Path output);
  }

  private static Pass stagePass(ChildSpec spec) {
    TextEmbedder embedder = new TextEmbedder()
        .setModelPath(spec.modelDir().toUri().toString())
        .setInputCol(TEXT_COL)
        .setPooledOutputCol(OUTPUT_COL)
        .setPooling("mean")
        .setBatchSize(spec.batchSize())
        .setMaxSeqLength(spec.maxSeqLength());
    ReuseDuplicates.set(embedder, spec.system().reuseDuplicates());
    return (spark, input, output) -> embedder.transform(spark.read().parquet(input.toString()))
        .write().mode(SaveMode.Overwrite).parquet(output.toString());
  }

  /**
   * The same model and settings as {@link #stagePass} (duplicate reuse off, like {@code stage}), through
   * {@code klue_embed} in a SQL query. The settings go through the session's {@code spark.kluespark.*}
   * configuration, where a build without duplicate reuse ignores the reuse key.
   */
  private static Pass sqlPass(ChildSpec spec) {
    return (spark, input, output) -> {
      spark.conf().set(KlueSqlOptions.MODEL, spec.modelDir().toUri().toString());
      spark.conf().set(KlueSqlOptions.POOLING, "mean");
      spark.conf().set(KlueSqlOptions.BATCH_SIZE, Integer.toString(spec.batchSize()));
      spark.conf().set(KlueSqlOptions.MAX_SEQ_LENGTH, Integer.toString(spec.maxSeqLength()));
      spark.conf().set(ReuseDuplicates.SQL_CONF, "false");
      KlueSqlFunctions.register(spark);
      spark.read().parquet(input.toString()).createOrReplaceTempView("bench_texts");
      spark.sql("SELECT *, klue_embed(" + TEXT_COL + ") AS " + OUTPUT_COL + " FROM bench_texts")
          .write().mode(SaveMode.Overwrite).parquet(output.toString());
    };
  }

  private static Pass naivePass(ChildSpec spec) {
    UserDefinedFunction embed = functions.udf(
        new NaiveEmbedUdf(spec.modelDir(), spec.maxSeqLength(), spec.udfThreads()),
        DataTypes.createArrayType(DataTypes.FloatType, false));
    return (spark, input, output) -> spark.read().parquet(input.toString())
        .withColumn(OUTPUT_COL, embed.apply(col(TEXT_COL)))
        .write().mode(SaveMode.Overwrite).parquet(output.toString());
  }

  /**
   * Waits until Spark's listener bus has delivered every event posted so far (task ends arrive
   * asynchronously after an action returns). LiveListenerBus is Spark-internal (private[spark], public in
   * bytecode); the job's progress listener makes the same call.
   */
  private static void drain(SparkSession spark) throws TimeoutException {
    spark.sparkContext().listenerBus().waitUntilEmpty(LISTENER_DRAIN_MILLIS);
  }

  /**
   * Adds up the stage's named accumulators over successful tasks since the last reset. The duplicate-rows
   * counter is read by its name, so the harness also builds against a stage that does not have it.
   */
  private static final class StageMetricsListener extends SparkListener {
    static final String DUPLICATE_ROWS = "kluespark.duplicateRows";

    private EmbeddingMetrics metrics = EmbeddingMetrics.ZERO;
    private long duplicateRows = -1;

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (taskEnd.taskInfo().successful()) {
        List<AccumulableInfo> accumulables = CollectionConverters.asJava(taskEnd.taskInfo().accumulables());
        metrics = metrics.plus(EmbeddingMetrics.fromTaskAccumulables(accumulables));
        for (AccumulableInfo info : accumulables) {
          if (info.name().isDefined() && DUPLICATE_ROWS.equals(info.name().get()) && info.update().isDefined()) {
            duplicateRows = Math.max(duplicateRows, 0) + ((Number) info.update().get()).longValue();
          }
        }
      }
    }

    synchronized void reset() {
      metrics = EmbeddingMetrics.ZERO;
      duplicateRows = -1;
    }

    synchronized EmbeddingMetrics metrics() {
      return metrics;
    }

    /** Rows whose vector was reused, or -1 when no task reported the counter. */
    synchronized long duplicateRows() {
      return duplicateRows;
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }
}
