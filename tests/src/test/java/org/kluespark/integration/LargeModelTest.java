package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SizeEstimator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.ExportOptions;
import org.kluespark.inference.SessionCache;
import org.kluespark.model.ModelBundle;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * A model over 2 GB: a 1-layer BERT (hidden 768) whose word-embedding table has 700,000 rows (2.15 GB of
 * float32 in {@code model.onnx.data}; only the 3,000 rows the tokenizer can emit hold real values, the rest
 * is a sparse hole of zeros). The stage must run it on local[2] without broadcasting the weights: executors
 * hard-link the data file from the bundle path, check its SHA-256, and share one session per JVM; the
 * outputs equal the 3,000-row model's exactly; a data file rewritten in place after the driver read it is
 * refused on the executor.
 */
@Tag("slow")
class LargeModelTest {
  static final long HUGE_VOCAB = 700_000;
  static final EncoderConfig TINY = new EncoderConfig(EncoderFamily.BERT, 3000, 768, 1, 12, 256, "gelu", 64, 2,
      1e-12, 0);
  private static final long TWO_GIB = 1L << 31;

  @TempDir Path tmp;

  @Test
  void modelOverTwoGigabytesRunsFromItsExternalDataWithOneSessionPerJvmAndNoWeightsInTheBroadcast()
      throws IOException {
    long start = System.nanoTime();
    double cpuStart = processCpuSeconds();
    Path checkpoint = tmp.resolve("checkpoint");
    SyntheticCheckpoint.write(TINY, false,
        SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets"))), 7, checkpoint);
    Path small = tmp.resolve("small");
    CheckpointConverter.convert(checkpoint, small, ExportOptions.defaults().withExternalDataThreshold(1024), line -> { });
    Path huge = tmp.resolve("huge");
    HugeEmbeddingBundle.Table table = HugeEmbeddingBundle.write(small, huge, HUGE_VOCAB);
    Path hugeData = huge.resolve(ModelBundle.EXTERNAL_DATA_FILE);
    assertThat(table.length()).isEqualTo(HUGE_VOCAB * 768 * Float.BYTES).isGreaterThan(TWO_GIB);
    assertThat(Files.size(hugeData)).isEqualTo(table.offset() + table.length());
    double writeSeconds = seconds(start);

    SparkSession spark = SparkTestSession.get();
    Dataset<Row> texts = texts(spark);
    SessionCache.resetForTesting();
    List<Row> expected = configure(new TextEmbedder().setModelPath(small.toString())).transform(texts)
        .orderBy("id").collectAsList();
    int sessionsBefore = SessionCache.sessionsCreated();

    long rssBefore = ProcStatus.kilobytes("VmRSS");
    long loadStart = System.nanoTime();
    TextEmbedder stage = configure(new TextEmbedder().setModelPath(huge.toString()));
    ModelBundle bundle = stage.modelBundle(); // the driver: reads model.onnx, hashes the data, probes
    double driverSeconds = seconds(loadStart);
    long runStart = System.nanoTime();
    List<Row> actual = stage.transform(texts).orderBy("id").collectAsList();
    double runSeconds = seconds(runStart);
    long rssWithSession = ProcStatus.kilobytes("VmRSS");

    assertThat(bundle.externalData().length()).isEqualTo(Files.size(hugeData));
    assertThat(SessionCache.sessionsCreated() - sessionsBefore).as("sessions created for 4 partitions on 2 task threads")
        .isEqualTo(1);
    assertSameOutputs(actual, expected);
    Path local = Paths.get(System.getProperty("java.io.tmpdir"), "kluespark-models", bundle.fingerprint());
    try {
      assertThat(Files.isSameFile(local.resolve(ModelBundle.EXTERNAL_DATA_FILE), hugeData))
          .as("the executor hard-linked the bundle's data file rather than copying it").isTrue();
      if (Files.isReadable(Paths.get("/proc/self/maps"))) {
        assertThat(Files.readAllLines(Paths.get("/proc/self/maps")))
            .as("ONNX Runtime memory-maps the data file instead of reading 2 GB into its own memory")
            .anyMatch(line -> line.endsWith(local.resolve(ModelBundle.EXTERNAL_DATA_FILE).toString()));
      }
      long javaSerialized = javaSerializedSize(bundle);
      long estimated = SizeEstimator.estimate(bundle);
      assertThat(javaSerialized).as("the broadcast ModelBundle, Java-serialized").isLessThan(1 << 20);
      assertThat(estimated).as("the broadcast ModelBundle, SizeEstimator").isLessThan(1 << 20);

      // The data file is rewritten in place (same length, other bytes) after the driver read it; the next
      // executor session must refuse it rather than embed with other weights.
      SessionCache.resetForTesting();
      Dataset<Row> planned = stage.transform(texts);
      flipBytes(hugeData, table.offset() + 768L * Float.BYTES * 5);
      assertThat(Files.size(hugeData)).isEqualTo(bundle.externalData().length());
      long verifyStart = System.nanoTime();
      assertThatThrownBy(planned::collectAsList)
          .hasStackTraceContaining(hugeData.toUri().toString().replace("file:///", "file:/"))
          .hasStackTraceContaining(" changed after the job started (sha256 ")
          .hasStackTraceContaining(", the driver read " + bundle.externalData().sha256()
              + "). Do not modify a bundle while jobs use it; rerun the job.");
      double verifySeconds = seconds(verifyStart);
      assertThat(SessionCache.sessionsCreated()).isZero();
      assertThatThrownBy(planned::collectAsList).as("a retry is refused too: nothing of the failed check is kept")
          .hasStackTraceContaining(" changed after the job started (sha256 ");
      assertThat(SessionCache.sessionsCreated()).isZero();

      System.out.printf("LargeModelTest: model.onnx.data %,d bytes (table %,d rows x 768 at offset %d), written in "
              + "%.1f s; driver load+hash+probe %.1f s; embed %d rows %.1f s; tampered-file check %.1f s; "
              + "ModelBundle %,d bytes serialized, %,d estimated; RSS %,d -> %,d KB with the session, "
              + "peak %,d KB; total %.1f s, test JVM CPU %.1f s%n", Files.size(hugeData), HUGE_VOCAB, table.offset(),
          writeSeconds, driverSeconds, actual.size(), runSeconds, verifySeconds, javaSerialized, estimated, rssBefore,
          rssWithSession, ProcStatus.kilobytes("VmHWM"), seconds(start), processCpuSeconds() - cpuStart);
    } finally {
      SessionCache.resetForTesting(); // frees the big session for the tests that follow in this JVM
      deleteRecursively(local);
    }
  }

  private static TextEmbedder configure(TextEmbedder stage) {
    return stage.setInputCol("text").setSequenceOutputCol("tokens").setMaxSeqLength(64);
  }

  private static Dataset<Row> texts(SparkSession spark) throws IOException {
    List<Row> rows = new ArrayList<>();
    List<String> sentences = Files.readAllLines(TestModels.repoRoot().resolve("datasets/sentences.txt"));
    for (int i = 0; i < sentences.size(); i++) {
      rows.add(RowFactory.create(i, i == 7 ? null : sentences.get(i)));
    }
    return spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType)
        .add("text", DataTypes.StringType)).repartition(4);
  }

  private static void assertSameOutputs(List<Row> actual, List<Row> expected) {
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      float[] want = TestRows.vector(expected.get(i), "pooled_output");
      if (want == null) {
        assertThat(TestRows.vector(actual.get(i), "pooled_output")).isNull();
        continue;
      }
      assertThat(TestRows.vector(actual.get(i), "pooled_output")).as("row %d", i).containsExactly(want);
      assertThat(TestRows.maxAbsDiff(TestRows.matrix(actual.get(i), "tokens"), TestRows.matrix(expected.get(i), "tokens")))
          .as("row %d token vectors", i).isZero();
    }
  }

  /** Inverts 4 bytes of real weights in place: the file keeps its length and inode. */
  private static void flipBytes(Path file, long position) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.allocate(4);
      channel.read(bytes, position);
      for (int i = 0; i < 4; i++) {
        bytes.put(i, (byte) ~bytes.get(i));
      }
      bytes.rewind();
      channel.write(bytes, position);
    }
  }

  private static long javaSerializedSize(Object value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.size();
  }

  private static double processCpuSeconds() {
    return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime() / 1e9;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** Fields of /proc/self/status (Linux), in kB; -1 elsewhere. */
  static final class ProcStatus {
    private ProcStatus() {}

    static long kilobytes(String field) {
      try {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
          if (line.startsWith(field + ":")) {
            return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
          }
        }
      } catch (IOException | NumberFormatException e) {
        return -1;
      }
      return -1;
    }
  }
}
