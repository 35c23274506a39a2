package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.kluespark.testing.KlueDevSentences;
import org.kluespark.testing.PaddedBatch;
import org.kluespark.tokenize.TextTokenizer;

/**
 * The int8 graph of a float32 bundle on both paths of {@link Int8Conversion} (fuse first with QAttention, and
 * quantize first), against each other: mean / min cosine of mean-pooled vectors to float32 and kernel time (the
 * calling thread's CPU seconds with 1 intra-op thread, level ALL as {@code OrtSessionFactory} sets; the two
 * graphs alternated A/B/A/B over rounds). Sentences: the first {@code COUNT} distinct KLUE STS + NLI dev
 * sentences, tokenized by the bundle's tokenizer (128 tokens at most), sorted by length, batches of 32. Not a
 * test: run with
 *
 * <pre>java -Xmx6g -cp udfs/target/test-classes:udfs/target/classes:$(cat cp.txt) \
 *   org.kluespark.precision.QAttentionMeasurement FP32_BUNDLE_DIR OUT_DIR KLUE_DIR COUNT ROUNDS \
 *   [convert|reuse|reuse-profile|reuse-long]</pre>
 *
 * <p>{@code reuse}: the int8 graphs already in OUT_DIR; {@code profile}: ONNX Runtime's per-op kernel time instead;
 * {@code long}: every 5 consecutive sentences joined into one text (most reach 128 tokens).
 */
public final class QAttentionMeasurement {
  private static final int BATCH = 32;

  private QAttentionMeasurement() {}

  public static void main(String[] args) throws Exception {
    Path bundle = Paths.get(args[0]);
    Path out = Paths.get(args[1]);
    Path klue = Paths.get(args[2]);
    int count = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    Path fused = out.resolve("qattention.onnx");
    Path previous = out.resolve("quantize-first.onnx");
    String mode = args.length > 5 ? args[5] : "convert";
    if (!mode.contains("reuse") || !Files.exists(fused)) {
      Files.createDirectories(out);
      ModelProto fp32 = OnnxModelReader.read(bundle.resolve("model.onnx"));
      long start = System.nanoTime();
      PrecisionConversion.Result a = Int8Conversion.fuseFirst(fp32, Int8Options.defaults(),
          bundle.getFileName().toString());
      System.out.printf("fuse-first conversion %.1f s%n  %s%n", (System.nanoTime() - start) / 1e9, a.parameters());
      a.summary().forEach(line -> System.out.println("  " + line));
      Files.write(fused, a.model().toByteArray());
      start = System.nanoTime();
      PrecisionConversion.Result b = Int8Conversion.quantizeFirst(fp32, Int8Options.defaults(),
          bundle.getFileName().toString());
      System.out.printf("quantize-first conversion %.1f s%n  fused_ops %s%n", (System.nanoTime() - start) / 1e9,
          b.parameters().get("fused_ops"));
      Files.write(previous, b.model().toByteArray());
    }
    List<long[][]> batches = batches(bundle, klue, count, mode.contains("long") ? 5 : 1);
    if (mode.contains("profile")) {
      for (Path model : List.of(previous, fused)) {
        profile(model, batches, out);
      }
      return;
    }
    float[][] reference = pooled(bundle.resolve("model.onnx"), batches, 2);
    for (Path model : List.of(fused, previous)) {
      float[][] vectors = pooled(model, batches, 2);
      double sum = 0;
      double min = 1;
      for (int i = 0; i < vectors.length; i++) {
        double c = org.kluespark.testing.TestVectors.cosine(vectors[i], reference[i]);
        sum += c;
        min = Math.min(min, c);
      }
      System.out.printf("%s vs fp32: mean cosine %.5f, min %.5f over %d sentences%n", model.getFileName(),
          sum / vectors.length, min, vectors.length);
    }
    for (int round = 1; round <= rounds; round++) {
      for (Path model : List.of(previous, fused)) {
        double[] s = time(model, batches);
        System.out.printf("round %d %-22s kernel (thread CPU) %6.2f s, wall %6.2f s, load %.2f%n", round,
            model.getFileName(), s[1], s[0], java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
      }
    }
  }

  /** {@code join} consecutive sentences per text (5: most texts reach the 128-token limit). */
  private static List<long[][]> batches(Path bundle, Path klue, int count, int join) throws Exception {
    List<long[]> ids = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(Files.readAllBytes(bundle.resolve("tokenizer.json")), 128)) {
      List<String> first = KlueDevSentences.distinct(klue).stream().limit(count).toList();
      for (int i = 0; i < first.size(); i += join) {
        ids.add(tokenizer.encode(String.join(" ", first.subList(i, Math.min(first.size(), i + join))), null).ids());
      }
    }
    ids.sort(Comparator.comparingInt(a -> a.length));
    List<long[][]> batches = new ArrayList<>();
    for (int start = 0; start < ids.size(); start += BATCH) {
      batches.add(ids.subList(start, Math.min(ids.size(), start + BATCH)).toArray(long[][]::new));
    }
    return batches;
  }

  private static OrtSession session(Path model, int threads) throws Exception {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      return OrtEnvironment.getEnvironment().createSession(model.toString(), options);
    }
  }

  private static float[][] pooled(Path model, List<long[][]> batches, int threads) throws Exception {
    List<float[]> vectors = new ArrayList<>();
    try (OrtSession session = session(model, threads)) {
      for (long[][] batch : batches) {
        run(session, batch, vectors);
      }
    }
    return vectors.toArray(float[][]::new);
  }

  /** {wall, calling thread CPU} seconds of one pass, after a warm-up on the shortest and longest batches. */
  private static double[] time(Path model, List<long[][]> batches) throws Exception {
    try (OrtSession session = session(model, 1)) {
      for (long[][] batch : List.of(batches.get(0), batches.get(batches.size() - 1))) {
        run(session, batch, null);
      }
      java.lang.management.ThreadMXBean thread = java.lang.management.ManagementFactory.getThreadMXBean();
      long start = System.nanoTime();
      long cpu = thread.getCurrentThreadCpuTime();
      for (long[][] batch : batches) {
        run(session, batch, null);
      }
      return new double[] {(System.nanoTime() - start) / 1e9, (thread.getCurrentThreadCpuTime() - cpu) / 1e9};
    }
  }

  /** ONNX Runtime's profiler over one pass (1 thread): milliseconds per op type, largest first. */
  private static void profile(Path model, List<long[][]> batches, Path out) throws Exception {
    Path file;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.enableProfiling(out.resolve("profile-" + model.getFileName()).toString());
      try (OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
        for (long[][] batch : batches) {
          run(session, batch, null);
        }
        file = Paths.get(session.endProfiling());
      }
    }
    java.util.Map<String, Double> byOp = new java.util.TreeMap<>();
    for (JsonNode event : new ObjectMapper().readTree(file.toFile())) {
      if (event.path("cat").asText().equals("Node") && event.path("name").asText().endsWith("_kernel_time")) {
        byOp.merge(event.path("args").path("op_name").asText(), event.path("dur").asDouble() / 1000, Double::sum);
      }
    }
    double total = byOp.values().stream().mapToDouble(Double::doubleValue).sum();
    System.out.printf("%s: %.0f ms in kernels%n", model.getFileName(), total);
    byOp.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> System.out.printf("  %-28s %8.0f ms%n", e.getKey(), e.getValue()));
  }

  private static void run(OrtSession session, long[][] rows, List<float[]> pooled) throws Exception {
    float[][] vectors = PaddedBatch.run(session, rows, pooled != null);
    if (pooled != null) {
      pooled.addAll(Arrays.asList(vectors));
    }
  }
}
