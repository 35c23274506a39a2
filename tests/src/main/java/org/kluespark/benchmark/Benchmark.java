package org.kluespark.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.kluespark.job.profile.TokenWork;
import org.kluespark.model.BuiltinModels;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticBundles;

/**
 * The benchmark harness (issue "Performance: a benchmark harness"): embeds each workload with each system,
 * every (system, workload, run) in a fresh child JVM ({@link BenchmarkChild}) with this JVM's classpath and
 * options, and writes a summary table. Run it with {@code tests/bin/benchmark} (see tests/README.md); it is
 * not part of the Maven build's tests.
 *
 * <p>Runs are interleaved (run 1 of every system and workload, then run 2, ...) so a slow drift of the
 * machine spreads over all systems instead of hitting one.
 */
public final class Benchmark {
  private static final long CHILD_TIMEOUT_MINUTES = 180;
  private static final int LOG_TAIL_LINES = 30;

  private final BenchmarkOptions options;
  private final Path repoRoot;
  private final Path workDir;
  private final Path logDir;
  private final List<String> childJvmOptions;
  private final String javaBinary;

  private Benchmark(BenchmarkOptions options, Path repoRoot) {
    this.options = options;
    this.repoRoot = repoRoot;
    this.workDir = options.outputDir().resolve("work");
    this.logDir = options.outputDir().resolve("logs");
    this.javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> jvm = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Dkluespark.benchmark.command=")) {
        jvm.add(arg);
      }
    }
    this.childJvmOptions = List.copyOf(jvm);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Process child = running;
      if (child != null && child.isAlive()) {
        child.destroyForcibly();
      }
    }, "benchmark-child-reaper"));
  }

  public static void main(String[] args) {
    Path repoRoot = repoRoot();
    BenchmarkOptions options;
    try {
      options = BenchmarkOptions.parse(args, repoRoot);
    } catch (IllegalArgumentException e) {
      System.err.println("benchmark: error: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(BenchmarkOptions.USAGE);
      return;
    }
    String command = System.getProperty("kluespark.benchmark.command",
        "tests/bin/benchmark " + String.join(" ", args)).strip();
    try {
      System.exit(new Benchmark(options, repoRoot).run(command));
    } catch (IllegalArgumentException e) {
      System.err.println("benchmark: error: " + e.getMessage());
      System.exit(2);
    }
  }

  static Path repoRoot() {
    String root = System.getProperty("kluespark.repo.root");
    return (root != null ? Path.of(root) : Path.of("").toAbsolutePath()).toAbsolutePath().normalize();
  }

  private int run(String command) {
    SystemSelection selection = SystemSelection.resolve(options, ReuseDuplicates.available());
    List<BenchSystem> systems = selection.systems();
    for (String reason : selection.leftOut()) {
      log("leaving out %s", reason);
    }
    Path modelDir = modelDir(options.model());
    Map<BenchSystem.Bundle, Path> bundles = new EnumMap<>(BenchSystem.Bundle.class);
    bundles.put(BenchSystem.Bundle.MODEL, modelDir);
    if (systems.stream().anyMatch(s -> s.bundle() == BenchSystem.Bundle.LC4J_INT8)) {
      bundles.put(BenchSystem.Bundle.LC4J_INT8, AnchorModel.resolve().toAbsolutePath());
    }
    if (systems.stream().anyMatch(s -> s.bundle() == BenchSystem.Bundle.INT8)) {
      bundles.put(BenchSystem.Bundle.INT8, modelDir(options.int8Model()));
    }
    List<Workloads.Workload> workloads = workloads();
    if (workloads.isEmpty()) {
      System.err.println("benchmark: no workload to run");
      return 2;
    }
    Map<String, String> machine = MachineInfo.collect(command, repoRoot, javaBinary, childJvmOptions);
    Work work = work(modelDir, workloads);

    // Inputs, written once per content (named by fingerprint, reused by later invocations).
    Map<String, ChildSpec> base = new LinkedHashMap<>();
    boolean anySpark = systems.stream().anyMatch(BenchSystem::spark);
    for (Workloads.Workload workload : workloads) {
      String stem = workload.name() + "-" + workload.texts().size() + "-" + Workloads.fingerprint(workload.texts());
      Path texts = workDir.resolve(stem + ".jsonl");
      if (!Files.isRegularFile(texts)) {
        Workloads.write(workload.texts(), texts);
      }
      ChildSpec spec = new ChildSpec(ChildSpec.RUN, null, workload.name(), options.model(), modelDir, texts,
          workDir.resolve(stem + ".parquet"), workDir.resolve(stem + "-warmup" + options.warmupRows() + ".parquet"),
          options.warmupRows(), options.batchSize(), options.maxSeqLength(), options.rawThreads(),
          options.udfThreads(), workDir.resolve("scratch"), 0);
      if (anySpark && !(isParquet(spec.parquet()) && isParquet(spec.warmupParquet()))) {
        log("preparing the Parquet input of %s (%d rows; not timed)", workload.name(), workload.texts().size());
        ChildSpec prepare = new ChildSpec(ChildSpec.PREPARE, null, workload.name(), options.model(), modelDir, texts,
            spec.parquet(), spec.warmupParquet(), options.warmupRows(), 0, 0, 0, 0, null, 0);
        ChildOutcome outcome = runChild(prepare, logDir.resolve("prepare-" + stem + ".log"));
        if (outcome.exitCode() != 0) {
          System.err.println("benchmark: preparing " + workload.name() + " failed; log " + outcome.log());
          return 1;
        }
      }
      base.put(workload.name(), spec);
    }

    // The runs, interleaved.
    List<RunResult> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int total = options.runs() * workloads.size() * systems.size();
    int done = 0;
    for (int run = 1; run <= options.runs(); run++) {
      for (Workloads.Workload workload : workloads) {
        for (BenchSystem system : systems) {
          done++;
          ChildSpec template = base.get(workload.name());
          ChildSpec spec = new ChildSpec(ChildSpec.RUN, system, workload.name(), template.model(),
              bundles.get(system.bundle()), template.texts(), template.parquet(), template.warmupParquet(),
              template.warmupRows(), template.batchSize(), template.maxSeqLength(), template.rawThreads(),
              template.udfThreads(), workDir.resolve("scratch").resolve(system.cliName() + "-" + workload.name()),
              run);
          Path log = logDir.resolve(String.format(Locale.ROOT, "run%d-%s-%s.log", run, workload.name(), system));
          long start = System.nanoTime();
          ChildOutcome outcome = runChild(spec, log);
          double jvmSeconds = (System.nanoTime() - start) / 1e9;
          String label = String.format(Locale.ROOT, "[%d/%d] run %d/%d %s on %s (%d rows)", done, total, run,
              options.runs(), system, workload.name(), workload.texts().size());
          if (outcome.result().isPresent() && outcome.exitCode() == 0) {
            RunResult result = outcome.result().get();
            results.add(result);
            log("%s: %.2f s timed, %.1f sentences/s (child JVM %.1f s)", label, result.seconds(),
                result.sentencesPerSecond(), jvmSeconds);
          } else {
            failures.add(label + ": exit code " + outcome.exitCode() + ", log " + outcome.log());
            log("%s: FAILED (exit code %d); last lines of %s:%n%s", label, outcome.exitCode(), outcome.log(),
                tail(outcome.log()));
          }
        }
      }
    }

    List<ResultTable.Row> rows = ResultTable.summarise(results, work.flops());
    writeReports(rows, results, failures, machine, workloads, bundles, work);
    return failures.isEmpty() ? 0 : 1;
  }

  /**
   * What a pass over each workload computes, for GFLOP/s: the float32 model's shape (null without a usable
   * config.json), each workload's real tokens (all rows, repeats included) and FLOP, and this CPU's peak.
   */
  private record Work(ModelShape shape, Map<String, TokenWork> tokens, Map<String, Double> flops, CpuPeak peak) {}

  private Work work(Path modelDir, List<Workloads.Workload> workloads) {
    CpuPeak peak = CpuPeak.detect(options);
    Optional<ModelShape> shape = ModelShape.read(modelDir);
    Map<String, TokenWork> tokens = new LinkedHashMap<>();
    Map<String, Double> flops = new LinkedHashMap<>();
    if (shape.isEmpty()) {
      log("no GFLOP/s: %s has no config.json with hidden_size, num_hidden_layers and intermediate_size",
          modelDir);
      return new Work(null, tokens, flops, peak);
    }
    for (Workloads.Workload workload : workloads) {
      TokenWork stats = TokenStats.measure(modelDir, options.maxSeqLength(), workload.texts());
      tokens.put(workload.name(), stats);
      flops.put(workload.name(), shape.get().flops(stats));
      log("workload %s: %d rows, %d real tokens (mean %.1f), %.1f GFLOP per pass", workload.name(), stats.rows(),
          stats.tokens(), stats.meanTokens(), shape.get().flops(stats) / 1e9);
    }
    return new Work(shape.get(), tokens, flops, peak);
  }

  private void writeReports(List<ResultTable.Row> rows, List<RunResult> results, List<String> failures,
      Map<String, String> machine, List<Workloads.Workload> workloads, Map<BenchSystem.Bundle, Path> bundles,
      Work work) {
    List<String> settings = new ArrayList<>();
    settings.add("model: " + options.model() + " (" + bundles.get(BenchSystem.Bundle.MODEL) + ")");
    if (bundles.containsKey(BenchSystem.Bundle.LC4J_INT8)) {
      settings.add("int8 anchor (raw-sorted-lc4j-int8): langchain4j's all-MiniLM-L6-v2-q ("
          + bundles.get(BenchSystem.Bundle.LC4J_INT8) + ")");
    }
    if (bundles.containsKey(BenchSystem.Bundle.INT8)) {
      settings.add("int8 model (*-int8 systems): " + options.int8Model() + " (" + bundles.get(BenchSystem.Bundle.INT8)
          + ")");
    }
    if (work.shape() != null) {
      settings.add(String.format(Locale.ROOT, "model shape (config.json): hidden %d, %d layers, intermediate %d: "
              + "%,d non-embedding parameters", work.shape().hidden(), work.shape().layers(),
          work.shape().intermediate(), work.shape().nonEmbeddingParameters()));
    }
    settings.add("float32 peak: " + (work.peak() == null ? "unknown (no clock in /proc/cpuinfo; give --cpu-ghz)"
        : work.peak().describe()));
    settings.add(String.format(Locale.ROOT, "batch size %d (naive-udf: 1 row per call), max sequence length %d, "
        + "mean pooling, %d warm-up rows per JVM (untimed), %s", options.batchSize(), options.maxSeqLength(),
        options.warmupRows(), options.quick() ? "QUICK smoke run (not a measurement)"
            : options.runs() + " run(s) per system and workload, each in its own JVM; median reported"));
    for (Workloads.Workload workload : workloads) {
      TokenWork stats = work.tokens().get(workload.name());
      settings.add("workload " + workload.name() + ": " + workload.description() + (stats == null ? ""
          : String.format(Locale.ROOT, "; %,d real tokens (mean %.1f per row), %.1f GFLOP per pass", stats.tokens(),
              stats.meanTokens(), work.flops().get(workload.name()) / 1e9)));
    }

    StringBuilder md = new StringBuilder("# kluespark benchmark\n\n");
    for (Map.Entry<String, String> entry : machine.entrySet()) {
      md.append("- ").append(entry.getKey()).append(": ")
          .append(entry.getKey().equals("command") ? "`" + entry.getValue() + "`" : entry.getValue()).append('\n');
    }
    for (String line : settings) {
      md.append("- ").append(line).append('\n');
    }
    md.append('\n').append(ResultTable.markdown(rows, work.peak() == null ? null : work.peak().gflops()))
        .append('\n');
    md.append("sentences/s: all rows of the workload (repeats included, also for the reuse systems) / wall time of "
        + "the median run's timed pass (JVM start, Spark start, model load and warm-up excluded; for the Spark "
        + "systems: Parquet read, embed and Parquet write). vs raw-sorted: throughput relative to raw-sorted "
        + "(float32, every row embedded: the bound) on the same workload; vs lc4j int8: relative to raw-sorted on "
        + "langchain4j's int8 MiniLM (the int8 anchor). GFLOP/s: the float32 model's work for all rows of the "
        + "workload, 2 × non-embedding parameters × real tokens plus attention (2 × 2 × seq² × hidden per layer "
        + "and row, seq = the row's real length; padding not counted), divided by the median seconds; the same "
        + "nominal work for int8 and reuse systems (the work the user got, not what was computed), so their "
        + "figure may exceed the float32 peak. % fp32 peak: GFLOP/s / the float32 peak above. padding eff.: real "
        + "tokens / tokens the model computed (rows × padded length; the stage's own counters). reused rows: rows "
        + "whose vector the stage copied from an earlier row of its window (kluespark.duplicateRows; blank when "
        + "not reported). threads: intra-op threads of the one loop (raw), or Spark task threads × intra-op "
        + "threads. Peak heap and RSS: the largest over the runs.\n");
    if (!failures.isEmpty()) {
      md.append("\nFailed runs:\n\n");
      for (String failure : failures) {
        md.append("- ").append(failure).append('\n');
      }
    }
    List<String> comments = new ArrayList<>();
    machine.forEach((key, value) -> comments.add(key + ": " + value));
    comments.addAll(settings);
    failures.forEach(failure -> comments.add("FAILED " + failure));

    try {
      Files.createDirectories(options.outputDir());
      Files.writeString(options.outputDir().resolve("results.md"), md.toString(), StandardCharsets.UTF_8);
      Files.writeString(options.outputDir().resolve("results.csv"), ResultTable.csv(rows, comments),
          StandardCharsets.UTF_8);
      Files.writeString(options.outputDir().resolve("runs.csv"), ResultTable.runsCsv(results), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the results under " + options.outputDir(), e);
    }
    System.out.println(md);
    System.out.println("Results: " + options.outputDir().resolve("results.md") + ", "
        + options.outputDir().resolve("results.csv") + ", " + options.outputDir().resolve("runs.csv")
        + " (logs: " + logDir + ")");
  }

  private List<Workloads.Workload> workloads() {
    List<Workloads.Workload> out = new ArrayList<>();
    for (String name : options.workloads()) {
      Workloads.Workload workload;
      if (BenchmarkOptions.KLUE.equals(name) || BenchmarkOptions.KLUE_ALL.equals(name)) {
        Path klueDir = options.klueDir();
        workload = BenchmarkOptions.KLUE.equals(name) ? Workloads.klue(klueDir) : Workloads.klueAll(klueDir);
        if (workload == null) {
          log("skipping workload %s: the KLUE dev sets are absent (looked for %s and %s in %s; see --klue-dir)", name,
              Workloads.KLUE_STS_DEV, Workloads.KLUE_NLI_DEV, klueDir);
          continue;
        }
      } else {
        workload = Workloads.longtail(Workloads.samplePool(repoRoot.resolve("datasets")), options.longtailRows(),
            options.longtailMaxSentences(), options.seed());
      }
      out.add(Workloads.prefix(workload, options.rows()));
    }
    return out;
  }

  /** {@code synth:<preset>}: a synthetic checkpoint at a published shape, converted once and cached. */
  static final String SYNTH_PREFIX = "synth:";

  private static Path modelDir(String model) {
    if (BuiltinModels.isBuiltin(model)) {
      return BuiltinModels.resolve(model).toAbsolutePath();
    }
    if (AnchorModel.NAME.equalsIgnoreCase(model)) {
      return AnchorModel.resolve().toAbsolutePath();
    }
    if (model.startsWith(SYNTH_PREFIX)) {
      ModelPreset preset = ModelPreset.byId(model.substring(SYNTH_PREFIX.length()));
      Path repo = Path.of(System.getProperty("kluespark.repo.root", ".")).toAbsolutePath().normalize();
      System.err.println("benchmark: preparing " + model + " (synthesised and converted on first use) ...");
      return SyntheticBundles.ensure(preset, 42, List.of(repo.resolve("datasets")),
          BuiltinModels.cacheRoot().resolve("synth")).toAbsolutePath();
    }
    Path dir = Path.of(model).toAbsolutePath().normalize();
    for (String file : List.of("model.onnx", "tokenizer.json")) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new IllegalArgumentException(model + ": " + dir.resolve(file) + " not found; give a built-in name "
            + BuiltinModels.names() + ", " + AnchorModel.NAME + ", " + SYNTH_PREFIX + "<preset> or a local bundle "
            + "directory (model.onnx + tokenizer.json)");
      }
    }
    return dir;
  }

  private record ChildOutcome(int exitCode, Optional<RunResult> result, Path log) {}

  /** The child JVM running now, destroyed if this JVM is stopped (Ctrl-C, kill) so none is left behind. */
  private volatile Process running;

  private ChildOutcome runChild(ChildSpec spec, Path log) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary);
    command.addAll(childJvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BenchmarkChild.class.getName());
    command.addAll(spec.toArgs());
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "# " + String.join(" ", command).replace(System.getProperty("java.class.path"),
          "<classpath>") + System.lineSeparator(), StandardCharsets.UTF_8);
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      running = process;
      if (!process.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        return new ChildOutcome(-1, Optional.empty(), log);
      }
      return new ChildOutcome(process.exitValue(),
          RunResult.find(readLines(log)), log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start a child JVM (" + javaBinary + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for a child JVM", e);
    }
  }

  private static boolean isParquet(Path dir) {
    return Files.isRegularFile(dir.resolve("_SUCCESS"));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = readLines(log);
      return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES),
          lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** The lines of a child's log, malformed bytes (from native libraries) replaced rather than fatal. */
  private static List<String> readLines(Path log) throws IOException {
    return List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\\R"));
  }

  private static void log(String format, Object... args) {
    System.err.println("benchmark: " + String.format(Locale.ROOT, format, args));
  }
}
