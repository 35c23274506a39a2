package org.kluespark.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's pure logic only (options, workloads, batching, summaries, the child protocol): no model, no
 * Spark, no child JVM. The benchmark itself runs with tests/bin/benchmark, never in the build.
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
        .hasMessage("Unknown system 'raw', expected one of [raw-sorted, raw-file-order, naive-udf, stage, sql-udf]");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--runs", "0"}, REPO))
        .hasMessage("Invalid --runs (must be >= 1): 0");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--batch-size"}, REPO))
        .hasMessageContaining("--batch-size needs a value");
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--workloads", "glue"}, REPO))
        .hasMessage("Unknown workload 'glue', expected one of [klue, longtail]");
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
        2L << 30, 1, 2, 100, 384);
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
    assertThat(markdown).contains("| klue | stage | minilm | 100 | 3 | 4.00 | 25.0 | 20.0–50.0 | 0.50× |  | 2x1 |");
    String csv = ResultTable.csv(rows, List.of("cores: 2", "command: tests/bin/benchmark --quick"));
    assertThat(csv.lines().toList()).startsWith("# cores: 2", "# command: tests/bin/benchmark --quick",
        String.join(",", ResultTable.CSV_HEADER));
    assertThat(csv).contains("klue,stage,minilm,100,3,4.0000,25.000,20.000,50.000,0.5000,,2x1,3,");
    assertThat(ResultTable.csvCell("a,\"b\"")).isEqualTo("\"a,\"\"b\"\"\"");
  }

  private static RunResult run(String system, int run, double seconds, long real, long padded) {
    return new RunResult(system, "klue", "minilm", run, 100, seconds, real, padded, 4, -1, "2x1",
        (long) run << 20, 100L << 20, 1, 0, 100, 384);
  }
}
