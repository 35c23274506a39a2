package org.kluespark.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The harness's command line, parsed and validated (pure logic, no Spark, no model).
 *
 * <p>{@code --quick} changes the defaults only (1 run, {@value #QUICK_ROWS} rows per workload,
 * {@value #QUICK_WARMUP_ROWS} warm-up rows); options given explicitly win over it.
 */
public record BenchmarkOptions(List<String> workloads, List<BenchSystem> systems, boolean systemsGiven, int runs,
    String model, String int8Model, boolean quick, int batchSize, int maxSeqLength, int rawThreads, int udfThreads,
    int warmupRows, int rows, int longtailRows, int longtailMaxSentences, long seed, Double cpuGhz,
    int flopsPerCycle, Path klueDir, Path outputDir, boolean help) {

  public static final String KLUE = "klue";
  public static final String KLUE_ALL = "klue-all";
  public static final String LONGTAIL = "longtail";
  /** Every workload, in table order. */
  public static final List<String> WORKLOADS = List.of(KLUE, KLUE_ALL, LONGTAIL);
  /** The workloads run when {@code --workloads} is not given (klue-all is asked for by name). */
  public static final List<String> DEFAULT_WORKLOADS = List.of(KLUE, LONGTAIL);
  /** float32 FLOP per cycle and core: 2 FMA units × 8 lanes (256 bits) × 2 (multiply and add). */
  public static final int DEFAULT_FLOPS_PER_CYCLE = 32;

  private static final List<String> VALUE_OPTIONS = List.of("--workloads", "--systems", "--runs", "--model",
      "--int8-model", "--batch-size", "--max-seq-length", "--raw-threads", "--udf-threads", "--warmup-rows", "--rows",
      "--longtail-rows", "--longtail-max-sentences", "--seed", "--cpu-ghz", "--flops-per-cycle", "--klue-dir",
      "--output");

  static final int QUICK_ROWS = 128;
  static final int QUICK_WARMUP_ROWS = 32;
  static final int DEFAULT_WARMUP_ROWS = 256;

  public static final String USAGE = String.join("\n",
      "Usage: tests/bin/benchmark [options]",
      "",
      "Embeds each workload with each system, every (system, workload, run) in its own JVM, and prints",
      "median throughput, padding efficiency, peak heap/RSS and model loads.",
      "",
      "  --workloads LIST         klue,klue-all,longtail (default: klue,longtail); the KLUE ones are skipped",
      "                           when ../shared/klue (or --klue-dir) lacks the dev sets:",
      "                             klue      the 5,038 distinct sentences of KLUE STS dev (sentence1, sentence2",
      "                                       of 519 pairs) and NLI dev (premise, hypothesis of 3,000 pairs)",
      "                             klue-all  all 7,038 of those sentences as they stand in the files, repeats",
      "                                       kept (each NLI premise appears three times: 2,000 repeats)",
      "                             longtail  synthetic rows of 1..16 datasets/ sentences (P(k) ∝ 1/k²)",
      "                           all in file order",
      "  --systems LIST           (default: every system whose model and Param are available)",
      "                             raw-sorted            plain ONNX Runtime loop, length-sorted batches (the bound)",
      "                             raw-file-order        the same, batches in file order",
      "                             naive-udf             Spark UDF, one row per ONNX Runtime call",
      "                             stage                 TextEmbedder, reuseDuplicates=false",
      "                             sql-udf               SELECT klue_embed(text), reuse off",
      "                             stage-reuse           TextEmbedder, reuseDuplicates=true",
      "                             raw-sorted-lc4j-int8  raw-sorted on langchain4j's int8 MiniLM (anchor;",
      "                                                   --model minilm only)",
      "                             raw-sorted-int8       raw-sorted on --int8-model",
      "                             stage-int8            TextEmbedder on --int8-model, reuse off",
      "                             stage-int8-reuse      TextEmbedder on --int8-model, reuseDuplicates=true",
      "                           raw loops embed every row; the reuse systems need TextEmbedder's Param",
      "                           reuseDuplicates",
      "  --runs N                 runs per (system, workload); the median is reported (default 3; --quick: 1)",
      "  --model NAME|DIR         built-in model name (minilm), synth:<preset> (e.g. synth:klue-bert-base, a\n"
      + "                           synthetic checkpoint converted once) or a bundle directory (default minilm)",
      "  --int8-model NAME|DIR    the int8 bundle of the *-int8 systems: a bundle directory (e.g. written by",
      "                           kluespark quantize) or minilm-q (langchain4j's int8 MiniLM)",
      "  --quick                  smoke test: " + QUICK_ROWS + " rows of each workload (as --rows), 1 run, "
          + QUICK_WARMUP_ROWS + " warm-up rows",
      "  --batch-size N           rows per ONNX Runtime call, all systems but naive-udf (default 32)",
      "  --max-seq-length N       tokens per row at most, special tokens included (default 128)",
      "  --raw-threads N          intra-op threads of the raw systems' session (default: all cores)",
      "  --udf-threads N          intra-op threads of naive-udf's static session; 0 = ONNX Runtime's default",
      "                           (default 1 = spark.task.cpus, what the stage uses)",
      "  --warmup-rows N          rows of the untimed warm-up pass in each JVM (default " + DEFAULT_WARMUP_ROWS + ")",
      "  --rows N                 use only N rows of each workload (default: all): the first ones; for klue and",
      "                           klue-all the first STS and the first NLI rows in proportion, so that a short",
      "                           klue-all keeps its repeats",
      "  --longtail-rows N        rows of the synthetic long-tail workload (default 5000)",
      "  --longtail-max-sentences N  most sentences concatenated into one long-tail row (default 16)",
      "  --seed N                 seed of the long-tail generator (default 42)",
      "  --cpu-ghz X              clock for the float32 peak (default: cpu MHz of /proc/cpuinfo, which in a",
      "                           VM is the nominal clock, not the boost clock the cores run at)",
      "  --flops-per-cycle N      float32 FLOP per cycle and core for the peak (default "
          + DEFAULT_FLOPS_PER_CYCLE + " = 2 FMA units",
      "                           × 8 lanes × 2, AVX2 + FMA; AMD Zen 4 runs AVX-512 at the same rate)",
      "  --klue-dir DIR           where the KLUE dev sets are (default ../shared/klue beside the repository)",
      "  --output DIR             where results.csv, results.md, runs.csv and logs go",
      "                           (default tests/target/benchmark)",
      "  --help                   this text");

  /** Parses {@code args}; {@code repoRoot} anchors the default output directory. */
  public static BenchmarkOptions parse(String[] args, Path repoRoot) {
    List<String> workloads = DEFAULT_WORKLOADS;
    List<BenchSystem> systems = List.of(BenchSystem.values());
    boolean systemsGiven = false;
    Integer runs = null;
    String model = "minilm";
    String int8Model = null;
    Double cpuGhz = null;
    int flopsPerCycle = DEFAULT_FLOPS_PER_CYCLE;
    boolean quick = false;
    int batchSize = 32;
    int maxSeqLength = 128;
    int rawThreads = Runtime.getRuntime().availableProcessors();
    int udfThreads = 1;
    Integer warmupRows = null;
    Integer rows = null;
    int longtailRows = 5000;
    int longtailMaxSentences = 16;
    long seed = 42;
    Path outputDir = repoRoot.resolve("tests/target/benchmark");
    Path klueDir = repoRoot.resolve("../shared/klue").normalize();
    boolean help = false;

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      switch (name) {
        case "--quick" -> quick = true;
        case "--help", "-h" -> help = true;
        default -> {
          if (!VALUE_OPTIONS.contains(name)) {
            throw new IllegalArgumentException("Unknown option '" + arg + "'; see --help");
          }
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("Option " + name + " needs a value; see --help");
            }
            value = args[++i];
          }
          switch (name) {
            case "--workloads" -> workloads = parseWorkloads(value);
            case "--systems" -> {
              systems = parseSystems(value);
              systemsGiven = true;
            }
            case "--runs" -> runs = positive(name, value);
            case "--model" -> model = nonBlank(name, value);
            case "--int8-model" -> int8Model = nonBlank(name, value);
            case "--cpu-ghz" -> cpuGhz = positiveDouble(name, value);
            case "--flops-per-cycle" -> flopsPerCycle = positive(name, value);
            case "--batch-size" -> batchSize = positive(name, value);
            case "--max-seq-length" -> maxSeqLength = atLeast(name, value, 2);
            case "--raw-threads" -> rawThreads = positive(name, value);
            case "--udf-threads" -> udfThreads = atLeast(name, value, 0);
            case "--warmup-rows" -> warmupRows = positive(name, value);
            case "--rows" -> rows = positive(name, value);
            case "--longtail-rows" -> longtailRows = positive(name, value);
            case "--longtail-max-sentences" -> longtailMaxSentences = positive(name, value);
            case "--seed" -> seed = parseLong(name, value);
            case "--klue-dir" -> klueDir = Path.of(nonBlank(name, value)).toAbsolutePath().normalize();
            case "--output" -> outputDir = Path.of(nonBlank(name, value)).toAbsolutePath();
            default -> throw new IllegalArgumentException("Unknown option '" + arg + "'; see --help");
          }
        }
      }
    }
    int resolvedRuns = runs != null ? runs : quick ? 1 : 3;
    int resolvedRows = rows != null ? rows : quick ? QUICK_ROWS : Integer.MAX_VALUE;
    int resolvedWarmup = warmupRows != null ? warmupRows : quick ? QUICK_WARMUP_ROWS : DEFAULT_WARMUP_ROWS;
    return new BenchmarkOptions(workloads, systems, systemsGiven, resolvedRuns, model, int8Model, quick, batchSize,
        maxSeqLength, rawThreads, udfThreads, resolvedWarmup, resolvedRows, longtailRows, longtailMaxSentences, seed,
        cpuGhz, flopsPerCycle, klueDir, outputDir, help);
  }

  static List<String> parseWorkloads(String value) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String item : splitList("--workloads", value)) {
      String name = item.toLowerCase(Locale.ROOT);
      if (!WORKLOADS.contains(name)) {
        throw new IllegalArgumentException("Unknown workload '" + item + "', expected one of " + WORKLOADS);
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  static List<BenchSystem> parseSystems(String value) {
    LinkedHashSet<BenchSystem> out = new LinkedHashSet<>();
    for (String item : splitList("--systems", value)) {
      out.add(BenchSystem.fromName(item));
    }
    return List.copyOf(out);
  }

  private static List<String> splitList(String option, String value) {
    List<String> items = new ArrayList<>();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("Invalid " + option + " (empty list): '" + value + "'");
    }
    return items;
  }

  private static int positive(String option, String value) {
    return atLeast(option, value, 1);
  }

  private static int atLeast(String option, String value, int min) {
    long parsed = parseLong(option, value);
    if (parsed < min || parsed > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Invalid " + option + " (must be >= " + min + "): " + value);
    }
    return (int) parsed;
  }

  private static double positiveDouble(String option, String value) {
    double parsed;
    try {
      parsed = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid " + option + " (not a number): '" + value + "'");
    }
    if (!(parsed > 0) || Double.isInfinite(parsed)) {
      throw new IllegalArgumentException("Invalid " + option + " (must be > 0): " + value);
    }
    return parsed;
  }

  private static long parseLong(String option, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid " + option + " (not a number): '" + value + "'");
    }
  }

  private static String nonBlank(String option, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("Invalid " + option + " (empty)");
    }
    return value.trim();
  }
}
