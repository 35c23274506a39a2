package org.kluespark.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs grouped by (workload, system, model) and summarised: the median run's time and throughput, the
 * throughput relative to {@code raw-sorted} (float32, the bound) and to {@code raw-sorted-lc4j-int8} (the int8
 * anchor) on the same workload and model, achieved GFLOP/s, padding efficiency, rows whose vector was reused,
 * the largest peak heap and RSS of the runs, and model loads per JVM. Rendered as Markdown and CSV (pure logic).
 */
public final class ResultTable {
  private static final double MB = 1024.0 * 1024.0;

  /** One summarised (workload, system, model). */
  public record Row(String workload, String system, String model, int rows, int runs, double medianSeconds,
      double minRate, double maxRate, Double ratioToRawSorted, Double ratioToAnchor, Double gflops,
      Double paddingEfficiency, long reusedRows, String threads, long peakHeapBytes, long peakRssBytes,
      int modelLoads, Double medianInferenceSeconds) {

    /** Sentences per second of the median run. */
    public double rate() {
      return rows / medianSeconds;
    }
  }

  private ResultTable() {}

  /** Summaries without GFLOP/s. */
  public static List<Row> summarise(List<RunResult> runs) {
    return summarise(runs, Map.of());
  }

  /**
   * Summaries in the order the groups first appear in {@code runs}. GFLOP/s is {@code flopsByWorkload} of the
   * row's workload (the work of all its rows, repeats included) over the median run's seconds; null for a
   * workload without an entry.
   */
  public static List<Row> summarise(List<RunResult> runs, Map<String, Double> flopsByWorkload) {
    Map<String, List<RunResult>> groups = new LinkedHashMap<>();
    for (RunResult run : runs) {
      groups.computeIfAbsent(run.workload() + "\u0000" + run.system() + "\u0000" + run.model(),
          k -> new ArrayList<>()).add(run);
    }
    Map<String, Double> rawSortedRates = new LinkedHashMap<>();
    Map<String, Double> anchorRates = new LinkedHashMap<>();
    List<Row> partial = new ArrayList<>();
    for (List<RunResult> group : groups.values()) {
      RunResult first = group.get(0);
      double medianSeconds = median(group.stream().mapToDouble(RunResult::seconds).toArray());
      double[] rates = group.stream().mapToDouble(RunResult::sentencesPerSecond).toArray();
      Double efficiency = null;
      for (RunResult run : group) {
        Optional<Double> value = run.paddingEfficiency();
        if (value.isPresent()) {
          efficiency = value.get(); // deterministic for a system and workload: any run's value
        }
      }
      double[] inference = group.stream().mapToDouble(RunResult::inferenceSeconds).filter(s -> s >= 0).toArray();
      Double flops = flopsByWorkload.get(first.workload());
      Row row = new Row(first.workload(), first.system(), first.model(), first.rows(), group.size(), medianSeconds,
          Arrays.stream(rates).min().orElseThrow(), Arrays.stream(rates).max().orElseThrow(), null, null,
          flops == null ? null : flops / medianSeconds / 1e9, efficiency,
          group.stream().mapToLong(RunResult::reusedRows).max().orElseThrow(), first.threads(),
          group.stream().mapToLong(RunResult::peakHeapBytes).max().orElseThrow(),
          group.stream().mapToLong(RunResult::peakRssBytes).max().orElseThrow(),
          group.stream().mapToInt(RunResult::modelLoads).max().orElseThrow(),
          inference.length == 0 ? null : median(inference));
      partial.add(row);
      String key = row.workload() + "\u0000" + row.model();
      if (BenchSystem.RAW_SORTED.cliName().equals(row.system())) {
        rawSortedRates.put(key, row.rate());
      } else if (BenchSystem.RAW_SORTED_LC4J_INT8.cliName().equals(row.system())) {
        anchorRates.put(key, row.rate());
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Row row : partial) {
      String key = row.workload() + "\u0000" + row.model();
      Double bound = rawSortedRates.get(key);
      Double anchor = anchorRates.get(key);
      rows.add(new Row(row.workload(), row.system(), row.model(), row.rows(), row.runs(), row.medianSeconds(),
          row.minRate(), row.maxRate(), bound == null ? null : row.rate() / bound,
          anchor == null ? null : row.rate() / anchor, row.gflops(), row.paddingEfficiency(), row.reusedRows(),
          row.threads(), row.peakHeapBytes(), row.peakRssBytes(), row.modelLoads(), row.medianInferenceSeconds()));
    }
    return rows;
  }

  /** The median (the mean of the two middle values for an even count). */
  static double median(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("Invalid median (no values)");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  static final List<String> MARKDOWN_HEADER = List.of("workload", "system", "model", "rows", "runs",
      "median s", "sentences/s", "range (sentences/s)", "vs raw-sorted", "vs lc4j int8", "GFLOP/s",
      "% fp32 peak", "padding eff.", "reused rows", "threads", "peak heap MB", "peak RSS MB", "model loads");
  private static final int THREADS_COLUMN = MARKDOWN_HEADER.indexOf("threads");

  public static String markdown(List<Row> rows) {
    return markdown(rows, null);
  }

  /** The table; {@code peakGflops} (null when unknown) gives the "% fp32 peak" column. */
  public static String markdown(List<Row> rows, Double peakGflops) {
    StringBuilder out = new StringBuilder();
    out.append("| ").append(String.join(" | ", MARKDOWN_HEADER)).append(" |\n");
    out.append("|");
    for (int i = 0; i < MARKDOWN_HEADER.size(); i++) {
      out.append(i < 3 || i == THREADS_COLUMN ? "---|" : "---:|");
    }
    out.append('\n');
    for (Row row : rows) {
      List<String> cells = List.of(row.workload(), row.system(), row.model(), Integer.toString(row.rows()),
          Integer.toString(row.runs()), fmt("%.2f", row.medianSeconds()), fmt("%.1f", row.rate()),
          fmt("%.1f–%.1f", row.minRate(), row.maxRate()),
          row.ratioToRawSorted() == null ? "" : fmt("%.2f×", row.ratioToRawSorted()),
          row.ratioToAnchor() == null ? "" : fmt("%.2f×", row.ratioToAnchor()),
          row.gflops() == null ? "" : fmt("%.1f", row.gflops()),
          row.gflops() == null || peakGflops == null ? "" : fmt("%.0f%%", 100 * row.gflops() / peakGflops),
          row.paddingEfficiency() == null ? "" : fmt("%.1f%%", 100 * row.paddingEfficiency()),
          row.reusedRows() < 0 ? "" : Long.toString(row.reusedRows()), row.threads(),
          mb(row.peakHeapBytes()), mb(row.peakRssBytes()), Integer.toString(row.modelLoads()));
      out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    return out.toString();
  }

  static final List<String> CSV_HEADER = List.of("workload", "system", "model", "rows", "runs", "median_seconds",
      "sentences_per_second", "min_sentences_per_second", "max_sentences_per_second", "ratio_to_raw_sorted",
      "padding_efficiency", "threads", "peak_heap_mb", "peak_rss_mb", "model_loads", "median_inference_seconds",
      "ratio_to_lc4j_int8", "gflops", "reused_rows");

  /** CSV with a header line; {@code comments} come first as {@code # } lines (machine, command, settings). */
  public static String csv(List<Row> rows, List<String> comments) {
    StringBuilder out = new StringBuilder();
    for (String comment : comments) {
      out.append("# ").append(comment.replace('\n', ' ')).append('\n');
    }
    out.append(String.join(",", CSV_HEADER)).append('\n');
    for (Row row : rows) {
      List<String> cells = List.of(csvCell(row.workload()), csvCell(row.system()), csvCell(row.model()),
          Integer.toString(row.rows()), Integer.toString(row.runs()), fmt("%.4f", row.medianSeconds()),
          fmt("%.3f", row.rate()), fmt("%.3f", row.minRate()), fmt("%.3f", row.maxRate()),
          row.ratioToRawSorted() == null ? "" : fmt("%.4f", row.ratioToRawSorted()),
          row.paddingEfficiency() == null ? "" : fmt("%.4f", row.paddingEfficiency()), csvCell(row.threads()),
          mb(row.peakHeapBytes()), mb(row.peakRssBytes()), Integer.toString(row.modelLoads()),
          row.medianInferenceSeconds() == null ? "" : fmt("%.4f", row.medianInferenceSeconds()),
          row.ratioToAnchor() == null ? "" : fmt("%.4f", row.ratioToAnchor()),
          row.gflops() == null ? "" : fmt("%.3f", row.gflops()),
          row.reusedRows() < 0 ? "" : Long.toString(row.reusedRows()));
      out.append(String.join(",", cells)).append('\n');
    }
    return out.toString();
  }

  /** Every run, one CSV line each (the raw data behind the summary). */
  public static String runsCsv(List<RunResult> runs) {
    StringBuilder out = new StringBuilder("workload,system,model,run,rows,seconds,sentences_per_second,real_tokens,"
        + "padded_tokens,batches,inference_seconds,threads,peak_heap_mb,peak_rss_mb,model_loads,partitions,"
        + "output_rows,dimension,reused_rows\n");
    for (RunResult r : runs) {
      out.append(String.join(",", csvCell(r.workload()), csvCell(r.system()), csvCell(r.model()),
          Integer.toString(r.run()), Integer.toString(r.rows()), fmt("%.4f", r.seconds()),
          fmt("%.3f", r.sentencesPerSecond()), Long.toString(r.realTokens()), Long.toString(r.paddedTokens()),
          Long.toString(r.batches()), fmt("%.4f", r.inferenceSeconds()), csvCell(r.threads()),
          mb(r.peakHeapBytes()), mb(r.peakRssBytes()), Integer.toString(r.modelLoads()),
          Integer.toString(r.partitions()), Long.toString(r.outputRows()), Integer.toString(r.dimension()),
          Long.toString(r.reusedRows())))
          .append('\n');
    }
    return out.toString();
  }

  static String csvCell(String value) {
    if (value == null) {
      return "";
    }
    if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
      return "\"" + value.replace("\"", "\"\"") + "\"";
    }
    return value;
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "" : fmt("%.0f", bytes / MB);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
