package org.kluespark.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.JavaParams;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.job.profile.TokenWork;

/**
 * The harness's pure logic only (options, system selection, workloads, batching, FLOP counts, summaries, the
 * child protocol): no model, no Spark session, no child JVM. The benchmark itself runs with tests/bin/benchmark,
 * never in the build.
 */
class BenchmarkHarnessTest {
  private static final Path REPO = Path.of("/repo");

  @TempDir
  Path tmp;

  @Test
  void defaultsAndQuickMode() {
    BenchmarkOptions defaults = BenchmarkOptions.parse(new String[0], REPO);
    assertThat(defaults.workloads()).containsExactly("klue", "longtail");
    assertThat(defaults.systems()).containsExactly(BenchSystem.values());
    assertThat(defaults.runs()).isEqualTo(3);
    assertThat(defaults.rows()).isEqualTo(Integer.MAX_VALUE);
    assertThat(defaults.batchSize()).isEqualTo(32);
    assertThat(defaults.outputDir()).isEqualTo(REPO.resolve("tests/target/benchmark"));
    assertThat(defaults.klueDir()).isEqualTo(Path.of("/shared/klue"));

    BenchmarkOptions quick = BenchmarkOptions.parse(new String[] {"--quick"}, REPO);
    assertThat(quick.runs()).isEqualTo(1);
    assertThat(quick.rows()).isEqualTo(BenchmarkOptions.QUICK_ROWS);
    assertThat(quick.warmupRows()).isEqualTo(BenchmarkOptions.QUICK_WARMUP_ROWS);

    BenchmarkOptions explicit = BenchmarkOptions.parse(new String[] {"--quick", "--runs=2", "--systems",
        "stage,raw-sorted", "--workloads", "longtail", "--batch-size", "8", "--model", "/models/x"}, REPO);
    assertThat(explicit.runs()).isEqualTo(2);
    assertThat(explicit.systems()).containsExactly(BenchSystem.STAGE, BenchSystem.RAW_SORTED);
    assertThat(explicit.workloads()).containsExactly("longtail");
    assertThat(explicit.batchSize()).isEqualTo(8);
    assertThat(explicit.model()).isEqualTo("/models/x");
  }

  @Test
  void badOptionsSayWhatIsWrong() {
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--systems", "raw,stage"}, REPO))
        .hasMessage("Unknown system 'raw', expected one of [raw-sorted, raw-file-order, naive-udf, stage, sql-udf, "
            + "stage-reuse, raw-sorted-lc4j-int8, raw-sorted-int8, stage-int8, stage-int8-reuse]");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--runs", "0"}, REPO))
        .hasMessage("Invalid --runs (must be >= 1): 0");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--batch-size"}, REPO))
        .hasMessageContaining("--batch-size needs a value");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--workloads", "glue"}, REPO))
        .hasMessage("Unknown workload 'glue', expected one of [klue, klue-all, longtail]");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--fast"}, REPO))
        .hasMessageContaining("Unknown option '--fast'");
  }

  @Test
  void sortedBatchesPadLessThanFileOrder() {
    int[] tokens = {10, 100, 12, 98, 11, 101};
    List<int[]> fileOrder = Batching.batches(tokens, 2, false);
    List<int[]> sorted = Batching.batches(tokens, 2, true);
    assertThat(fileOrder).extracting(Arrays::toString).containsExactly("[0, 1]", "[2, 3]", "[4, 5]");
    assertThat(sorted).extracting(Arrays::toString).containsExactly("[0, 4]", "[2, 3]", "[1, 5]");
    assertThat(Batching.tokenTotals(tokens, fileOrder)).containsExactly(332, 598);
    assertThat(Batching.tokenTotals(tokens, sorted)).containsExactly(332, 22 + 196 + 202);
    assertThat(Batching.batches(new int[5], 2, true)).extracting(b -> b.length).containsExactly(2, 2, 1);
  }

  @Test
  void longtailIsDeterministicAndLongTailed() {
    List<String> pool = List.of("a", "b", "c", "d");
    Workloads.Workload first = Workloads.longtail(pool, 2000, 16, 42);
    Workloads.Workload again = Workloads.longtail(pool, 2000, 16, 42);
    Workloads.Workload other = Workloads.longtail(pool, 2000, 16, 7);
    assertThat(first.texts()).hasSize(2000).isEqualTo(again.texts()).isNotEqualTo(other.texts());

    int[] counts = first.texts().stream().mapToInt(t -> t.split(" ").length).toArray();
    long single = Arrays.stream(counts).filter(k -> k == 1).count();
    assertThat(single / 2000.0).as("P(k=1) = 1/ζ₁₆(2) ≈ 0.63").isBetween(0.58, 0.68);
    assertThat(Arrays.stream(counts).max().getAsInt()).isBetween(8, 16);
    assertThat(Workloads.sentenceCount(Workloads.zipfCumulative(3, 2.0), 0.999999)).isEqualTo(3);
    assertThat(Workloads.prefix(first, 10).texts()).isEqualTo(first.texts().subList(0, 10));
  }

  @Test
  void textsRoundTripThroughTheChildFile() {
    List<String> texts = List.of("한 줄", "two\nlines", "\"quoted\", comma", "");
    Path file = tmp.resolve("texts.jsonl");
    Workloads.write(texts, file);
    assertThat(Workloads.read(file)).isEqualTo(texts);
    assertThat(Workloads.fingerprint(texts)).hasSize(12).isNotEqualTo(Workloads.fingerprint(texts.subList(0, 3)));
  }

  @Test
  void childSpecAndResultLineRoundTrip() {
    ChildSpec spec = new ChildSpec(ChildSpec.RUN, BenchSystem.NAIVE_UDF, "klue", "minilm", tmp.resolve("model"),
        tmp.resolve("t.jsonl"), tmp.resolve("t.parquet"), tmp.resolve("w.parquet"), 32, 16, 128, 2, 1,
        tmp.resolve("scratch"), 3);
    assertThat(ChildSpec.parse(spec.toArgs().toArray(String[]::new))).isEqualTo(spec);

    RunResult result = new RunResult("stage", "klue", "minilm", 2, 100, 2.5, 900, 1000, 4, 2.0, "2x1", 1L << 30,
        2L << 30, 1, 2, 100, 384, 7);
    Optional<RunResult> found = RunResult.find(List.of("12:00:01 INFO noise", result.toLine(), "after"));
    assertThat(found).contains(result);
    assertThat(RunResult.find(List.of("no result"))).isEmpty();
    assertThat(result.sentencesPerSecond()).isEqualTo(40.0);
    assertThat(result.paddingEfficiency()).contains(0.9);
  }

  @Test
  void summaryTakesTheMedianAndComparesWithRawSorted() {
    List<RunResult> runs = List.of(
        run("raw-sorted", 1, 1.0, 900, 1000), run("stage", 1, 4.0, -1, -1),
        run("raw-sorted", 2, 3.0, 900, 1000), run("stage", 2, 2.0, -1, -1),
        run("raw-sorted", 3, 2.0, 900, 1000), run("stage", 3, 5.0, -1, -1));
    List<ResultTable.Row> rows = ResultTable.summarise(runs);
    assertThat(rows).extracting(ResultTable.Row::system).containsExactly("raw-sorted", "stage");
    ResultTable.Row raw = rows.get(0);
    ResultTable.Row stage = rows.get(1);
    assertThat(raw.medianSeconds()).isEqualTo(2.0);
    assertThat(raw.rate()).isEqualTo(50.0);
    assertThat(raw.ratioToRawSorted()).isEqualTo(1.0);
    assertThat(raw.paddingEfficiency()).isEqualTo(0.9);
    assertThat(stage.medianSeconds()).isEqualTo(4.0);
    assertThat(stage.ratioToRawSorted()).isCloseTo(0.5, within(1e-12));
    assertThat(stage.paddingEfficiency()).isNull();
    assertThat(stage.minRate()).isEqualTo(20.0);
    assertThat(stage.maxRate()).isEqualTo(50.0);
    assertThat(stage.peakHeapBytes()).isEqualTo(3L << 20);
    assertThat(ResultTable.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);

    String markdown = ResultTable.markdown(rows);
    // vs raw-sorted, then empty: vs lc4j int8, GFLOP/s, % fp32 peak, padding eff., reused rows; then threads
    assertThat(markdown).contains(
        "| klue | stage | minilm | 100 | 3 | 4.00 | 25.0 | 20.0–50.0 | 0.50× |  |  |  |  |  | 2x1 |");
    String csv = ResultTable.csv(rows, List.of("cores: 2", "command: tests/bin/benchmark --quick"));
    assertThat(csv.lines().toList()).startsWith("# cores: 2", "# command: tests/bin/benchmark --quick",
        String.join(",", ResultTable.CSV_HEADER));
    assertThat(csv).contains("klue,stage,minilm,100,3,4.0000,25.000,20.000,50.000,0.5000,,2x1,3,");
    assertThat(ResultTable.csvCell("a,\"b\"")).isEqualTo("\"a,\"\"b\"\"\"");
  }

  @Test
  void int8ModelPeakAndKlueAllOptions() {
    BenchmarkOptions defaults = BenchmarkOptions.parse(new String[0], REPO);
    assertThat(defaults.int8Model()).isNull();
    assertThat(defaults.systemsGiven()).isFalse();
    assertThat(defaults.cpuGhz()).isNull();
    assertThat(defaults.flopsPerCycle()).isEqualTo(32);

    BenchmarkOptions options = BenchmarkOptions.parse(new String[] {"--int8-model", "/models/q", "--workloads",
        "klue-all,klue", "--systems", "stage-int8-reuse,raw-sorted-lc4j-int8", "--cpu-ghz=2.45",
        "--flops-per-cycle", "64", "--klue-dir", "/data/klue/"}, REPO);
    assertThat(options.int8Model()).isEqualTo("/models/q");
    assertThat(options.workloads()).containsExactly("klue-all", "klue");
    assertThat(options.systems()).containsExactly(BenchSystem.STAGE_INT8_REUSE, BenchSystem.RAW_SORTED_LC4J_INT8);
    assertThat(options.systemsGiven()).isTrue();
    assertThat(options.cpuGhz()).isEqualTo(2.45);
    assertThat(options.flopsPerCycle()).isEqualTo(64);
    assertThat(options.klueDir()).isEqualTo(Path.of("/data/klue"));

    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--cpu-ghz", "fast"}, REPO))
        .hasMessage("Invalid --cpu-ghz (not a number): 'fast'");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--cpu-ghz", "0"}, REPO))
        .hasMessage("Invalid --cpu-ghz (must be > 0): 0");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--int8-model", " "}, REPO))
        .hasMessage("Invalid --int8-model (empty)");
    assertThat(BenchmarkOptions.USAGE).contains("klue-all  all 7,038", "stage-int8-reuse", "--int8-model");
  }

  @Test
  void systemsKnowTheirBundleAndReuse() {
    assertThat(BenchSystem.STAGE.reuseDuplicates()).isFalse();
    assertThat(BenchSystem.STAGE_REUSE.reuseDuplicates()).isTrue();
    assertThat(BenchSystem.STAGE_INT8_REUSE.bundle()).isEqualTo(BenchSystem.Bundle.INT8);
    assertThat(BenchSystem.STAGE_INT8_REUSE.runner()).isEqualTo(BenchSystem.Runner.STAGE);
    assertThat(BenchSystem.RAW_SORTED_LC4J_INT8.bundle()).isEqualTo(BenchSystem.Bundle.LC4J_INT8);
    assertThat(BenchSystem.RAW_SORTED_LC4J_INT8.runner()).isEqualTo(BenchSystem.Runner.RAW_SORTED);
    assertThat(BenchSystem.RAW_SORTED_INT8.spark()).isFalse();
    assertThat(BenchSystem.SQL_UDF.spark()).isTrue();
  }

  @Test
  void systemsWhoseModelOrParamIsMissingAreLeftOutByDefaultAndRefusedWhenNamed() {
    SystemSelection defaults = SystemSelection.resolve(BenchmarkOptions.parse(new String[0], REPO), false);
    assertThat(defaults.systems()).containsExactly(BenchSystem.RAW_SORTED, BenchSystem.RAW_FILE_ORDER,
        BenchSystem.NAIVE_UDF, BenchSystem.STAGE, BenchSystem.SQL_UDF, BenchSystem.RAW_SORTED_LC4J_INT8);
    assertThat(defaults.leftOut()).hasSize(4).anySatisfy(reason -> assertThat(reason).startsWith(
        "stage-reuse needs TextEmbedder's Param reuseDuplicates, which this build's TextEmbedder lacks"));

    SystemSelection everything = SystemSelection.resolve(
        BenchmarkOptions.parse(new String[] {"--int8-model", "/models/q"}, REPO), true);
    assertThat(everything.systems()).containsExactly(BenchSystem.values());
    assertThat(everything.leftOut()).isEmpty();

    SystemSelection bert = SystemSelection.resolve(
        BenchmarkOptions.parse(new String[] {"--model", "synth:klue-bert-base"}, REPO), true);
    assertThat(bert.systems()).doesNotContain(BenchSystem.RAW_SORTED_LC4J_INT8, BenchSystem.STAGE_INT8)
        .contains(BenchSystem.STAGE_REUSE);

    assertThatThrownBy(() -> SystemSelection.resolve(BenchmarkOptions.parse(
        new String[] {"--systems", "raw-sorted,stage-reuse"}, REPO), false))
        .hasMessageStartingWith("stage-reuse needs TextEmbedder's Param reuseDuplicates");
    assertThatThrownBy(() -> SystemSelection.resolve(BenchmarkOptions.parse(
        new String[] {"--systems", "stage-int8"}, REPO), true))
        .hasMessageStartingWith("stage-int8 needs --int8-model DIR");
    assertThatThrownBy(() -> SystemSelection.resolve(BenchmarkOptions.parse(
        new String[] {"--model", "synth:klue-bert-base", "--systems", "raw-sorted,raw-sorted-lc4j-int8"}, REPO), true))
        .hasMessage("raw-sorted-lc4j-int8 runs langchain4j's int8 all-MiniLM-L6-v2, an anchor for --model minilm "
            + "only (this run's --model is synth:klue-bert-base)");
  }

  @Test
  void reuseIsSetByNameAndAskingForItWithoutTheParamFails() {
    WithReuseParam with = new WithReuseParam();
    ReuseDuplicates.set(with, true);
    assertThat(with.getOrDefault(with.reuseDuplicates())).isEqualTo(true);
    ReuseDuplicates.set(with, false);
    assertThat(with.getOrDefault(with.reuseDuplicates())).isEqualTo(false);

    WithoutReuseParam without = new WithoutReuseParam();
    ReuseDuplicates.set(without, false); // what the stage does anyway
    assertThatThrownBy(() -> ReuseDuplicates.set(without, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("WithoutReuseParam has no Param 'reuseDuplicates'");
  }

  @Test
  void klueAllKeepsEveryRowInFileOrderAndKlueOnlyTheDistinctOnes() throws IOException {
    Path dir = tmp.resolve("klue");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(Workloads.KLUE_STS_DEV), "[{\"sentence1\": \"a\", \"sentence2\": \"b\"},"
        + " {\"sentence1\": \"c\", \"sentence2\": \"a\"}]");
    Files.writeString(dir.resolve(Workloads.KLUE_NLI_DEV), "[{\"premise\": \"p\", \"hypothesis\": \"h1\"},"
        + " {\"premise\": \"p\", \"hypothesis\": \"h2\"}, {\"premise\": \"p\", \"hypothesis\": \"h3\"},"
        + " {\"premise\": \"q\", \"hypothesis\": \"h4\"}]");

    Workloads.Workload all = Workloads.klueAll(dir);
    assertThat(all.name()).isEqualTo("klue-all");
    assertThat(all.texts()).containsExactly("a", "b", "c", "a", "p", "h1", "p", "h2", "p", "h3", "q", "h4");
    assertThat(Workloads.repeats(all.texts())).isEqualTo(3);
    assertThat(all.description()).startsWith("all 12 sentences of KLUE STS dev (2 pairs) and NLI dev (4 pairs)")
        .contains("3 of them repeats of an earlier row (9 distinct)");

    Workloads.Workload distinct = Workloads.klue(dir);
    assertThat(distinct.name()).isEqualTo("klue");
    assertThat(distinct.texts()).containsExactly("a", "b", "c", "p", "h1", "h2", "h3", "q", "h4");
    assertThat(Workloads.repeats(distinct.texts())).isZero();
    assertThat(all.partSizes()).containsExactly(4, 8);
    assertThat(distinct.partSizes()).containsExactly(3, 6);

    // A prefix takes the first rows of STS and of NLI in proportion (4:8), so it keeps NLI's repeats.
    Workloads.Workload six = Workloads.prefix(all, 6);
    assertThat(six.texts()).containsExactly("a", "b", "p", "h1", "p", "h2");
    assertThat(six.partSizes()).containsExactly(2, 4);
    assertThat(six.description())
        .startsWith("the first [2, 4] rows of its 2 parts (6 rows), 1 of them repeats of: all 12");
    assertThat(Workloads.prefix(all, 5).texts()).containsExactly("a", "b", "p", "h1", "p");
    assertThat(Workloads.prefix(all, 1).texts()).containsExactly("p");
    assertThat(Workloads.prefix(distinct, 3).texts()).containsExactly("a", "p", "h1");
    assertThat(Workloads.prefix(all, 12)).isSameAs(all);

    Files.delete(dir.resolve(Workloads.KLUE_NLI_DEV));
    assertThat(Workloads.klueAll(dir)).isNull();
  }

  @Test
  void flopsOnAHandWorkedExample() throws IOException {
    // Per layer: 4h² + 4h (Q, K, V, O) + 2hi + i + h (feed-forward) + 4h (2 LayerNorms) = 64+16+64+8+4+16 = 172
    ModelShape tiny = new ModelShape(4, 2, 8);
    assertThat(tiny.nonEmbeddingParameters()).isEqualTo(344);
    TokenWork tokens = TokenWork.of(new int[] {3, 5});
    assertThat(tokens).isEqualTo(new TokenWork(2, 8, 34));
    assertThat(tokens.meanTokens()).isEqualTo(4.0);
    // 2 × 344 × 8 tokens = 5,504; attention 2 layers × 2 × 2 × hidden 4 × (3² + 5²) = 1,088
    assertThat(tiny.flops(tokens)).isEqualTo(6592.0);

    // The published sizes: all-MiniLM-L6-v2 22.7M parameters, 11.9M of them embeddings; klue/bert-base 110.6M.
    assertThat(new ModelShape(384, 6, 1536).nonEmbeddingParameters()).isEqualTo(10_646_784L);
    assertThat(new ModelShape(768, 12, 3072).nonEmbeddingParameters()).isEqualTo(85_054_464L);

    assertThat(ModelShape.parse("{\"hidden_size\": 384, \"num_hidden_layers\": 6, \"intermediate_size\": 1536}"))
        .contains(new ModelShape(384, 6, 1536));
    assertThat(ModelShape.parse("{\"hidden_size\": 384, \"num_hidden_layers\": 6}")).isEmpty();
    assertThat(ModelShape.read(tmp)).isEmpty();
  }

  @Test
  void peakIsCoresTimesFlopsPerCycleTimesClock() {
    assertThat(CpuPeak.cpuMhz("processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2450.000\n\nprocessor\t: 1\n"
        + "cpu MHz\t\t: 2600.000\n")).isEqualTo(2450.0);
    assertThat(CpuPeak.cpuMhz("processor\t: 0\n")).isNull();
    CpuPeak peak = new CpuPeak(2, 2.45, 32, "test");
    assertThat(peak.gflops()).isCloseTo(156.8, within(1e-9));
    assertThat(peak.describe()).isEqualTo("2 cores × 32 FLOP/cycle × 2.450 GHz (test) = 156.8 GFLOP/s float32");
  }

  @Test
  void tableComparesWithTheBoundAndTheInt8AnchorAndShowsGflops() {
    List<RunResult> runs = List.of(
        run("raw-sorted", 1, 4.0, 900, 1000), run("raw-sorted-lc4j-int8", 1, 2.0, 900, 1000),
        reuseRun("stage-int8-reuse", 1.0, 30), reuseRun("stage-int8-reuse", 0.5, 30));
    // 100 rows of 10 tokens on the tiny model: 2 × 344 × 1,000 + 2 × 2 × 2 × 4 × 100 × 10² = 1,008,000 FLOP
    double flops = new ModelShape(4, 2, 8).flops(TokenWork.of(filled(100, 10)));
    assertThat(flops).isEqualTo(1_008_000.0);
    List<ResultTable.Row> rows = ResultTable.summarise(runs, Map.of("klue", flops * 1e3));
    ResultTable.Row anchor = rows.get(1);
    ResultTable.Row reuse = rows.get(2);
    assertThat(anchor.ratioToRawSorted()).isEqualTo(2.0);
    assertThat(anchor.ratioToAnchor()).isEqualTo(1.0);
    assertThat(reuse.medianSeconds()).isEqualTo(0.75);
    assertThat(reuse.ratioToRawSorted()).isCloseTo(4.0 / 0.75, within(1e-12));
    assertThat(reuse.ratioToAnchor()).isCloseTo(2.0 / 0.75, within(1e-12));
    assertThat(reuse.gflops()).isCloseTo(1.008e9 / 0.75 / 1e9, within(1e-12));
    assertThat(reuse.reusedRows()).isEqualTo(30);
    assertThat(rows.get(0).gflops()).isCloseTo(0.252, within(1e-12));
    assertThat(rows.get(0).reusedRows()).isEqualTo(-1);

    String markdown = ResultTable.markdown(rows, 0.504);
    assertThat(markdown.lines().findFirst().orElseThrow()).contains(
        "| vs raw-sorted | vs lc4j int8 | GFLOP/s | % fp32 peak | padding eff. | reused rows | threads |");
    assertThat(markdown).contains("| raw-sorted | minilm | 100 | 1 | 4.00 | 25.0 | 25.0–25.0 | 1.00× | 0.50× "
        + "| 0.3 | 50% | 90.0% |  | 2x1 |");
    assertThat(markdown).contains("| stage-int8-reuse | minilm | 100 | 2 | 0.75 | 133.3 | 100.0–200.0 | 5.33× "
        + "| 2.67× | 1.3 | 267% | 87.5% | 30 | 2x1 |");
    assertThat(ResultTable.markdown(rows)).contains("| 1.3 |  | 87.5% |");
    assertThat(ResultTable.csv(rows, List.of())).contains(",2.6667,1.344,30\n");
  }

  private static RunResult reuseRun(String system, double seconds, long reused) {
    return new RunResult(system, "klue", "minilm", 1, 100, seconds, 700, 800, 4, -1, "2x1", 1L << 20, 100L << 20, 1,
        2, 100, 384, reused);
  }

  private static int[] filled(int rows, int length) {
    int[] lengths = new int[rows];
    Arrays.fill(lengths, length);
    return lengths;
  }

  /** A stage with the Param, as TextEmbedder has once duplicate reuse lands. */
  public static final class WithReuseParam extends JavaParams {
    private final BooleanParam reuseDuplicates = new BooleanParam(this, "reuseDuplicates", "embed each text once");

    @Override
    public String uid() {
      return "withReuse";
    }

    public BooleanParam reuseDuplicates() {
      return reuseDuplicates;
    }

    @Override
    public Params copy(ParamMap extra) {
      return defaultCopy(extra);
    }
  }

  /** A stage without it. */
  public static final class WithoutReuseParam extends JavaParams {
    @Override
    public String uid() {
      return "withoutReuse";
    }

    @Override
    public Params copy(ParamMap extra) {
      return defaultCopy(extra);
    }
  }

  private static RunResult run(String system, int run, double seconds, long real, long padded) {
    return new RunResult(system, "klue", "minilm", run, 100, seconds, real, padded, 4, -1, "2x1",
        (long) run << 20, 100L << 20, 1, 0, 100, 384, -1);
  }
}
