package org.kluespark.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's texts: the real KLUE dev sentences (distinct, or with their repeats) and a seeded synthetic
 * long-tail workload, and the one-JSON-string-per-line files the harness hands to its child JVMs.
 */
public final class Workloads {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String KLUE_STS_DEV = "klue-sts-v1.1_dev.json";
  static final String KLUE_NLI_DEV = "klue-nli-v1.1_dev.json";

  /**
   * A named list of texts, made of consecutive parts (the KLUE workloads: STS, then NLI) that {@link #prefix}
   * shortens in proportion.
   */
  public record Workload(String name, List<String> texts, String description, List<Integer> partSizes) {
    /** One part. */
    public Workload(String name, List<String> texts, String description) {
      this(name, texts, description, List.of(texts.size()));
    }
  }

  private Workloads() {}

  /**
   * Every distinct sentence of the KLUE STS dev set (sentence1, sentence2) and NLI dev set (premise,
   * hypothesis), in file order, or null when {@code klueDir} lacks either file.
   */
  public static Workload klue(Path klueDir) {
    return klue(klueDir, false);
  }

  /**
   * Every sentence of the KLUE STS dev set (sentence1, sentence2) and NLI dev set (premise, hypothesis) as it
   * stands in the files, repeats kept (each NLI premise appears in three records), in file order, or null when
   * {@code klueDir} lacks either file. The stage meets the repeats within its windows, as in real data.
   */
  public static Workload klueAll(Path klueDir) {
    return klue(klueDir, true);
  }

  private static Workload klue(Path klueDir, boolean keepRepeats) {
    Path sts = klueDir.resolve(KLUE_STS_DEV);
    Path nli = klueDir.resolve(KLUE_NLI_DEV);
    if (!Files.isRegularFile(sts) || !Files.isRegularFile(nli)) {
      return null;
    }
    Collection<String> texts = keepRepeats ? new ArrayList<>() : new LinkedHashSet<>();
    int stsRecords = addFields(sts, texts, "sentence1", "sentence2");
    int stsRows = texts.size();
    int nliRecords = addFields(nli, texts, "premise", "hypothesis");
    List<String> list = List.copyOf(texts);
    List<Integer> parts = List.of(stsRows, list.size() - stsRows);
    if (!keepRepeats) {
      return new Workload(BenchmarkOptions.KLUE, list, String.format(
          "the %d distinct sentences of KLUE STS dev (%d pairs) and NLI dev (%d pairs), single texts, file order",
          list.size(), stsRecords, nliRecords), parts);
    }
    int repeats = repeats(list);
    return new Workload(BenchmarkOptions.KLUE_ALL, list, String.format("all %d sentences of KLUE STS dev (%d pairs) "
        + "and NLI dev (%d pairs) as they stand in the files, %d of them repeats of an earlier row (%d distinct), "
        + "single texts, file order", list.size(), stsRecords, nliRecords, repeats, list.size() - repeats), parts);
  }

  /** Rows that repeat an earlier row's text exactly: what duplicate reuse can save. */
  public static int repeats(List<String> texts) {
    return texts.size() - new HashSet<>(texts).size();
  }

  /** The distinct sentences of the repository's datasets/ samples: sentences.txt, the STS and NLI samples. */
  public static List<String> samplePool(Path datasetsDir) {
    LinkedHashSet<String> pool = new LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(datasetsDir.resolve("sentences.txt"), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          pool.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + datasetsDir.resolve("sentences.txt"), e);
    }
    addFields(datasetsDir.resolve("klue-sts-sample.json"), pool, "sentence1", "sentence2");
    addFields(datasetsDir.resolve("klue-nli-sample.json"), pool, "premise", "hypothesis");
    return List.copyOf(pool);
  }

  /**
   * {@code rows} texts, each the concatenation (with a space) of k sentences drawn uniformly from
   * {@code pool}, where k in 1..maxSentences follows a Zipf law with exponent 2 (P(k) ∝ 1/k²): about
   * two thirds of the rows are one sentence, one in six two, and a long tail is much longer. Deterministic
   * for a given pool, size and seed.
   */
  public static Workload longtail(List<String> pool, int rows, int maxSentences, long seed) {
    if (pool.isEmpty()) {
      throw new IllegalArgumentException("Invalid long-tail pool (empty)");
    }
    Random random = new Random(seed);
    double[] cumulative = zipfCumulative(maxSentences, 2.0);
    List<String> texts = new ArrayList<>(rows);
    for (int row = 0; row < rows; row++) {
      int k = sentenceCount(cumulative, random.nextDouble());
      StringBuilder text = new StringBuilder();
      for (int s = 0; s < k; s++) {
        if (s > 0) {
          text.append(' ');
        }
        text.append(pool.get(random.nextInt(pool.size())));
      }
      texts.add(text.toString());
    }
    return new Workload(BenchmarkOptions.LONGTAIL, List.copyOf(texts), String.format(
        "%d synthetic rows, 1..%d sentences each (P(k) ∝ 1/k², seed %d) from %d distinct datasets/ sentences",
        rows, maxSentences, seed, pool.size()));
  }

  /** Cumulative probabilities of k = 1..max under P(k) ∝ k^-exponent. */
  static double[] zipfCumulative(int max, double exponent) {
    double[] cumulative = new double[max];
    double total = 0;
    for (int k = 1; k <= max; k++) {
      total += Math.pow(k, -exponent);
      cumulative[k - 1] = total;
    }
    for (int i = 0; i < max; i++) {
      cumulative[i] /= total;
    }
    cumulative[max - 1] = 1.0;
    return cumulative;
  }

  /** The k (1-based) whose cumulative bucket holds {@code u} in [0, 1). */
  static int sentenceCount(double[] cumulative, double u) {
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i + 1;
      }
    }
    return cumulative.length;
  }

  /**
   * {@code rows} texts of {@code workload} (all when it has fewer): the first rows of each part, in proportion to
   * the parts' sizes, so that a prefix of the KLUE workloads holds NLI sentences (and klue-all its repeats) and not
   * only the STS ones that come first in the files.
   */
  public static Workload prefix(Workload workload, int rows) {
    int total = workload.texts().size();
    if (rows >= total) {
      return workload;
    }
    List<String> texts = new ArrayList<>(rows);
    List<Integer> sizes = new ArrayList<>();
    int start = 0;
    int taken = 0;
    int seen = 0;
    for (int part = 0; part < workload.partSizes().size(); part++) {
      int size = workload.partSizes().get(part);
      seen += size;
      // Cumulative rounding: the parts' shares add up to exactly `rows`.
      int upTo = (int) Math.round((double) rows * seen / total);
      int count = Math.min(size, upTo - taken);
      texts.addAll(workload.texts().subList(start, start + count));
      sizes.add(count);
      taken += count;
      start += size;
    }
    String how = sizes.size() == 1 ? "first " + rows + " rows" : "the first " + sizes + " rows of its " + sizes.size()
        + " parts (" + rows + " rows)";
    int repeats = repeats(texts);
    String repeated = repeats > 0 ? ", " + repeats + " of them repeats" : "";
    return new Workload(workload.name(), List.copyOf(texts), how + repeated + " of: " + workload.description(),
        List.copyOf(sizes));
  }

  /** Writes one JSON string per line (texts may hold any character, newlines included). */
  public static void write(List<String> texts, Path file) {
    try {
      Files.createDirectories(file.getParent());
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (String text : texts) {
          out.write(JSON.writeValueAsString(text));
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** Reads a file written by {@link #write}. */
  public static List<String> read(Path file) {
    List<String> texts = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isEmpty()) {
          texts.add(JSON.readValue(line, String.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return texts;
  }

  /** The first 12 hex digits of the SHA-256 of the texts, to name the files derived from them. */
  public static String fingerprint(List<String> texts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String text : texts) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int addFields(Path file, Collection<String> out, String first, String second) {
    try {
      JsonNode records = JSON.readTree(file.toFile());
      for (JsonNode record : records) {
        out.add(record.get(first).asText());
        out.add(record.get(second).asText());
      }
      return records.size();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }
}
