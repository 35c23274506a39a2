package org.kluespark.job;

import java.io.PrintWriter;
import java.util.Locale;
import org.kluespark.job.profile.ComputeEstimate;
import org.kluespark.job.profile.EncoderShape;
import org.kluespark.job.profile.LengthHistogram;
import org.kluespark.job.profile.PaddingSimulation;
import org.kluespark.job.profile.SeqLengthAdvice;
import org.kluespark.job.profile.TokenLengths;

/**
 * What {@code kluespark profile} prints: one section per question a user asks before a run.
 *
 * @param pairRepeatShare NaN without a pair column
 * @param shape null when the model's config.json does not give it (no GFLOP)
 * @param calibration null with --calibration-rows 0 (and then no time estimate)
 */
record ProfileReport(String input, String textCol, String pairCol, ProfileSample sample, WindowRepeats repeats,
    TokenLengths lengths,
    double textRepeatShare, double pairRepeatShare, int maxSeqLength, int batchSize, int windowSize,
    PaddingSimulation.Result padding, EncoderShape shape, Calibration calibration, ComputeEstimate estimate,
    SeqLengthAdvice advice, String embedLine, String master) {

  void print(PrintWriter out) {
    out.printf(Locale.ROOT, "kluespark profile: %s, column %s%s%n", input, textCol,
        pairCol == null ? "" : " with pair column " + pairCol);
    out.printf(Locale.ROOT, "rows: %,d in the input%s; %,d sampled (Dataset.sample, seed %d, from every partition)"
        + "%n", repeats.rows(), repeats.nullRows() == 0 ? ""
            : String.format(Locale.ROOT, " (%,d with a null text: null outputs)", repeats.nullRows()),
        sample.sampledRows(), ProfileSample.SEED);

    out.println();
    out.println("Tokens per row (special tokens included, before truncation)");
    LengthHistogram.render(lengths).forEach(out::println);
    out.printf(Locale.ROOT, "  mean %.1f   p50 %d   p90 %d   p99 %d   max %d%n", lengths.mean(),
        lengths.percentile(50), lengths.percentile(90), lengths.percentile(99), lengths.max());

    out.println();
    out.println("Rows cut at maxSeqLength");
    StringBuilder cuts = new StringBuilder(" ");
    for (int candidate : SeqLengthAdvice.CANDIDATES) {
      cuts.append(String.format(Locale.ROOT, "  %d: %s", candidate, percent(lengths.cutShare(candidate))));
      if (advice.modelLimit() != null && candidate > advice.modelLimit()) {
        cuts.append(" (above the model's ").append(advice.modelLimit()).append(" positions)");
      }
    }
    out.println(cuts);

    out.println();
    out.println("Repeated rows (reuseDuplicates runs each distinct row of a window once)");
    if (pairCol == null) {
      out.printf(Locale.ROOT, "  sample: %s of sampled rows repeat an earlier sampled text%n", percent(textRepeatShare));
    } else {
      out.printf(Locale.ROOT, "  sample: %s of sampled rows repeat an earlier (text, pair) pair; %s repeat the first "
          + "text alone%n", percent(pairRepeatShare), percent(textRepeatShare));
    }
    out.printf(Locale.ROOT, "  whole input: %s of rows (%s of characters) repeat an earlier row of their window "
        + "(%,d consecutive rows of a partition): the model runs them once%n", percent(repeats.repeatShare()),
        percent(1 - repeats.runShare()), windowSize);

    out.println();
    out.printf(Locale.ROOT, "Padding efficiency at maxSeqLength %d, batch size %d (BatchPlanner, CPU)%n",
        maxSeqLength, batchSize);
    out.printf(Locale.ROOT, "  %s: %,d real tokens / %,d padded tokens in %,d batches%n",
        percent(padding.efficiency()), padding.realTokens(), padding.paddedTokens(), padding.batches());

    out.println();
    out.printf(Locale.ROOT, "Estimate for the whole input at maxSeqLength %d%n", maxSeqLength);
    if (shape == null) {
      out.println("  GFLOP: unknown (the model's config.json lacks hidden_size, num_hidden_layers or "
          + "intermediate_size)");
    } else {
      out.printf(Locale.ROOT, "  compute: %,.1f GFLOP (2 x %,d non-embedding parameters x %,d real tokens, plus "
          + "attention; repeats included)%n", estimate.gflop(), shape.nonEmbeddingParameters(),
          estimate.work().tokens());
    }
    if (calibration == null) {
      out.println("  time: not estimated (--calibration-rows 0)");
    } else {
      out.printf(Locale.ROOT, "  calibration: %,d sample rows embedded in %.2f s on %s (%d task slots): %s%n",
          calibration.rows(), calibration.seconds(), master, calibration.slots(), estimate.rateInGflops()
              ? String.format(Locale.ROOT, "%.1f GFLOP/s", estimate.rate())
              : String.format(Locale.ROOT, "%,.0f tokens/s", estimate.rate()));
      out.printf(Locale.ROOT, "  time: about %s of embedding on this session's cores (repeats reused; without "
          + "Spark start-up, model loading, reading and writing)%n", duration(estimate.seconds()));
    }

    out.println();
    out.printf(Locale.ROOT, "Recommended maxSeqLength: %d (%s)%n", advice.maxSeqLength(), adviceReason());
    out.println("  " + embedLine);
  }

  private String adviceReason() {
    String limit = advice.modelLimit() == null ? "the model's positions are unknown"
        : "the model takes up to " + advice.modelLimit();
    if (advice.withinTarget()) {
      return String.format(Locale.ROOT, "the shortest that cuts at most %s of rows: it cuts %s; %s",
          percent(SeqLengthAdvice.MAX_CUT_SHARE), percent(advice.cutShare()), limit);
    }
    return String.format(Locale.ROOT, "still cuts %s of rows; %s", percent(advice.cutShare()), limit);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  static String duration(double seconds) {
    if (seconds < 90) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (seconds < 90 * 60) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
