package org.kluespark.convert;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.kluespark.testing.KlueDevSentences;
import org.kluespark.testing.PaddedBatch;
import org.kluespark.tokenize.TextTokenizer;

/**
 * Fused against unfused converter graphs with plain ONNX Runtime (no Spark): KLUE STS + NLI dev sentences
 * (distinct, every {@code step}-th), tokenized by the bundle's tokenizer (128 tokens at most), sorted by
 * length, batches of 32 padded to their longest row; sentences/s over one full pass after a warm-up, per
 * bundle, optimization level and intra-op thread count, the configurations interleaved over rounds. Session
 * options as {@code OrtSessionFactory}'s (1 inter-op thread, no spinning). Not a test: run with
 *
 * <pre>java -cp udfs/target/test-classes:udfs/target/classes:$(cat cp.txt) org.kluespark.convert.FusedGraphBenchmark \
 *   KLUE_DIR STEP ROUNDS THREADS(1,2) NAME=BUNDLE_DIR:LEVEL ...</pre>
 */
public final class FusedGraphBenchmark {
  private static final int BATCH = 32;

  private FusedGraphBenchmark() {}

  record Config(String name, Path bundle, OptLevel level) {}

  public static void main(String[] args) throws Exception {
    Path klue = Paths.get(args[0]);
    int step = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int[] threads = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
    List<Config> configs = new ArrayList<>();
    for (int i = 4; i < args.length; i++) {
      String[] nameRest = args[i].split("=", 2);
      int colon = nameRest[1].lastIndexOf(':');
      configs.add(new Config(nameRest[0], Paths.get(nameRest[1].substring(0, colon)),
          OptLevel.valueOf(nameRest[1].substring(colon + 1) + "_OPT")));
    }
    List<String> sentences = sentences(klue, step);
    // Every bundle here shares one tokenizer (one checkpoint), so the batches are the same for all.
    List<long[][]> batches;
    long realTokens = 0;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(
        Files.readAllBytes(configs.get(0).bundle().resolve("tokenizer.json")), 128)) {
      List<long[]> ids = new ArrayList<>();
      for (String s : sentences) {
        ids.add(tokenizer.encode(s, null).ids());
        realTokens += ids.get(ids.size() - 1).length;
      }
      ids.sort(Comparator.comparingInt(a -> a.length));
      batches = new ArrayList<>();
      for (int start = 0; start < ids.size(); start += BATCH) {
        batches.add(ids.subList(start, Math.min(ids.size(), start + BATCH)).toArray(long[][]::new));
      }
    }
    System.out.printf("%d sentences (every %d-th distinct KLUE STS+NLI dev sentence), %d real tokens (mean %.1f), "
        + "%d batches of <= %d%n", sentences.size(), step, realTokens, (double) realTokens / sentences.size(),
        batches.size(), BATCH);
    for (int round = 1; round <= rounds; round++) {
      for (int t : threads) {
        for (Config config : configs) {
          double[] seconds = measure(config, t, batches);
          int n = sentences.size();
          System.out.printf("round %d threads %d %-14s wall %6.1f sentences/s | per CPU-second: calling thread %6.1f,"
              + " process %6.1f%n", round, t, config.name(), n / seconds[0], n / seconds[1], n / seconds[2]);
        }
      }
    }
  }

  /**
   * {wall, calling thread's CPU, process CPU} seconds of one pass. On a shared machine wall time measures the
   * neighbours too; with 1 intra-op thread ONNX Runtime computes on the calling thread, so its CPU time is
   * the cost of the graph itself.
   */
  private static double[] measure(Config config, int threads, List<long[][]> batches) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(config.level());
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      try (OrtSession session = env.createSession(config.bundle().resolve("model.onnx").toString(), options)) {
        // warm-up: the shortest and the longest batches
        for (long[][] batch : List.of(batches.get(0), batches.get(1), batches.get(batches.size() - 1))) {
          PaddedBatch.run(session, batch, false); // only last_hidden_state, as the stage fetches it
        }
        java.lang.management.ThreadMXBean thread = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long start = System.nanoTime();
        long threadStart = thread.getCurrentThreadCpuTime();
        long processStart = os.getProcessCpuTime();
        for (long[][] batch : batches) {
          PaddedBatch.run(session, batch, false); // only last_hidden_state, as the stage fetches it
        }
        return new double[] {(System.nanoTime() - start) / 1e9, (thread.getCurrentThreadCpuTime() - threadStart) / 1e9,
            (os.getProcessCpuTime() - processStart) / 1e9};
      }
    }
  }

  private static List<String> sentences(Path klue, int step) throws Exception {
    List<String> all = KlueDevSentences.distinct(klue);
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < all.size(); i += step) {
      sample.add(all.get(i));
    }
    return sample;
  }
}
