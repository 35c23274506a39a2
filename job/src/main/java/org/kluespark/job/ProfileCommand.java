package org.kluespark.job;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kluespark.embed.BatchPlanner;
import org.kluespark.embed.DuplicateRows;
import org.kluespark.embed.TextInput;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.job.profile.ComputeEstimate;
import org.kluespark.job.profile.EncoderShape;
import org.kluespark.job.profile.PaddingSimulation;
import org.kluespark.job.profile.SeqLengthAdvice;
import org.kluespark.job.profile.TokenLengths;
import org.kluespark.job.profile.TokenWork;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.TokenizerBundle;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.tokenize.TextTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kluespark profile}: looks at a sample of the input with the model's tokenizer and says what an
 * {@code embed} run of it would cost and which maxSeqLength to give it. Only the calibration runs the model.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Plan an embed run: token counts of a sample, rows cut per maxSeqLength, repeated texts, "
        + "padding efficiency, the run's GFLOP and time (from a short calibration run), and a maxSeqLength.")
final class ProfileCommand implements Callable<Integer>, ErrorReporter.Verbose {
  static final int DEFAULT_SAMPLE = 2000;
  static final int DEFAULT_CALIBRATION_ROWS = 512;
  // Tokenize without cutting, to see every row's true length; far above any model's positions.
  private static final int NO_TRUNCATION = 1 << 20;
  private static final int DEFAULT_BATCH_SIZE = 32; // EncoderStage's CPU default
  private static final int DEFAULT_WINDOW_SIZE = 1024; // EncoderStage's default

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "PATH|minilm", description = "Model bundle "
      + "directory, or the built-in model minilm.")
  String model;

  @Mixin
  InputOptions inputOptions = new InputOptions();

  @Option(names = "--sample", paramLabel = "N", defaultValue = "" + DEFAULT_SAMPLE, description = "Rows to "
      + "tokenize, drawn from the whole input (Dataset.sample, seed " + ProfileSample.SEED + "). Default: "
      + "${DEFAULT-VALUE}.")
  int sample;

  @Option(names = "--max-seq-length", paramLabel = "N", description = "The maxSeqLength to estimate for. "
      + "Default: the recommended one.")
  Integer maxSeqLength;

  @Option(names = "--batch-size", paramLabel = "N", description = "As for embed. Default: 32.")
  Integer batchSize;

  @Option(names = "--calibration-rows", paramLabel = "N", defaultValue = "" + DEFAULT_CALIBRATION_ROWS,
      description = "Sample rows embedded to measure this machine's speed; 0 skips the time estimate. Default: "
          + "${DEFAULT-VALUE}.")
  int calibrationRows;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master. Default: spark-submit's, else "
      + "local[*].")
  String master;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  @Override
  public boolean verbose() {
    return verbose;
  }

  @Override
  public Integer call() {
    checkOptions();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    InputSource source = InputSource.of(inputOptions.input, inputOptions.inputTable,
        inputOptions.format == null ? null : InputFormat.parse(inputOptions.format));
    try (SessionHandle session = SessionHandle.obtain(master, Map.of(), err)) {
      SparkSession spark = session.spark();
      InputSource.Opened read = source.open(spark);
      String text = inputOptions.textCol != null ? inputOptions.textCol : read.defaultTextColumn();
      TextEmbedder embedder = embedder(text);
      checkColumns(embedder, read.rows().schema());

      progress(err, "counting the input's rows and repeats (one pass, no tokenizing)");
      Dataset<Row> texts = ProfileSample.texts(read.rows(), text, inputOptions.pairCol);
      WindowRepeats repeats = WindowRepeats.count(texts, inputOptions.pairCol != null, DEFAULT_WINDOW_SIZE);
      progress(err, "drawing a sample of " + sample + " rows");
      ProfileSample drawn = ProfileSample.draw(texts, inputOptions.pairCol != null, repeats.rows(), sample);
      TokenizerBundle tokenizerBundle =
          ModelBundleLoader.loadTokenizer(model, spark.sparkContext().hadoopConfiguration());
      int[] lengths;
      try (TextTokenizer tokenizer = TextTokenizer.fromJson(tokenizerBundle.tokenizerBytes(), NO_TRUNCATION)) {
        progress(err, "tokenizing " + drawn.rows().size() + " rows");
        lengths = drawn.lengths(tokenizer, embedder.textPrefixes());
      }
      if (drawn.sampledRows() == 0) {
        throw new IllegalArgumentException(source.describe(read.format()) + " has no rows; there is nothing to "
            + "profile.");
      }
      if (lengths.length == 0) {
        throw new IllegalArgumentException("Every sampled row of " + source.describe(read.format()) + " has a null "
            + text + (inputOptions.pairCol == null ? "" : " or " + inputOptions.pairCol)
            + "; there is nothing to profile.");
      }
      TokenLengths tokenLengths = TokenLengths.of(lengths);
      SeqLengthAdvice advice = SeqLengthAdvice.recommend(tokenLengths, tokenizerBundle.maxPositions());
      int chosen = maxSeqLength != null ? maxSeqLength : advice.maxSeqLength();
      int[] clipped = clip(lengths, chosen);
      int batch = batchSize != null ? batchSize : DEFAULT_BATCH_SIZE;
      PaddingSimulation.Result padding = PaddingSimulation.simulate(drawn.rows(), clipped, DEFAULT_WINDOW_SIZE, batch,
          BatchPlanner.batchCostTokens(ExecutionTarget.CPU), true);
      EncoderShape shape = EncoderShape.parse(configJson(tokenizerBundle)).orElse(null);

      Calibration calibration = null;
      int[] picked = ProfileSample.evenlySpacedIndices(drawn.rows().size(), calibrationRows);
      if (calibrationRows > 0) {
        progress(err, "calibrating: embedding " + picked.length + " sample rows at maxSeqLength " + chosen);
        calibration = calibrate(spark, embedder.setMaxSeqLength(chosen), drawn.rows(), picked, text);
      }
      ComputeEstimate estimate = ComputeEstimate.of(shape, TokenWork.of(clipped), repeats.rows() - repeats.nullRows(),
          repeats.runShare(), calibration == null ? null : TokenWork.of(pick(clipped, picked)),
          calibration == null ? Double.NaN : calibration.seconds());

      new ProfileReport(source.describe(read.format()), text, inputOptions.pairCol, drawn, repeats,
          tokenLengths, repeatShare(drawn.rows(), false),
          inputOptions.pairCol == null ? Double.NaN : repeatShare(drawn.rows(), true),
          chosen, batch, DEFAULT_WINDOW_SIZE, padding, shape, calibration, estimate, advice,
          embedLine(source, read.format(), text, advice.maxSeqLength()), spark.sparkContext().master())
          .print(out);
      out.flush();
    }
    return 0;
  }

  /** Every picked row run through the stage (duplicate reuse off: the rate must be the model's own). */
  private Calibration calibrate(SparkSession spark, TextEmbedder embedder, List<TextInput> rows, int[] picked,
      String text) {
    List<TextInput> chosenRows = new ArrayList<>(picked.length);
    for (int index : picked) {
      chosenRows.add(rows.get(index));
    }
    return Calibration.run(spark, embedder.setReuseDuplicates(false), chosenRows, text, inputOptions.pairCol);
  }

  private static int[] pick(int[] values, int[] indices) {
    int[] picked = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      picked[i] = values[indices[i]];
    }
    return picked;
  }

  private void checkOptions() {
    if (sample <= 0) {
      throw new IllegalArgumentException("--sample must be 1 or more rows, got " + sample + ".");
    }
    if (calibrationRows < 0) {
      throw new IllegalArgumentException("--calibration-rows must be 0 (no time estimate) or more, got "
          + calibrationRows + ".");
    }
  }

  /** The stage's own check, which names the columns there are; its Param names become the options' names. */
  private static void checkColumns(TextEmbedder embedder, org.apache.spark.sql.types.StructType schema) {
    try {
      embedder.transformSchema(schema);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage())
          .replaceFirst("^inputCol: ", "--text-col: ")
          .replaceFirst("^pairCol: ", "--pair-col: ")
          .replaceFirst("^pairPrefix is ", "--pair-prefix is ")
          .replace("set pairCol, or use textPrefix", "add --pair-col, or use --text-prefix");
      throw new IllegalArgumentException(message, e);
    }
  }

  /** The stage as embed would build it; bad values fail with the option's name, before Spark reads anything. */
  private TextEmbedder embedder(String text) {
    TextEmbedder embedder = new TextEmbedder();
    set("--model", () -> embedder.setModelPath(model));
    set("--text-col", () -> embedder.setInputCol(text));
    if (inputOptions.pairCol != null) {
      set("--pair-col", () -> embedder.setPairCol(inputOptions.pairCol));
    }
    if (inputOptions.textPrefix != null) {
      set("--text-prefix", () -> embedder.setTextPrefix(inputOptions.textPrefix));
    }
    if (inputOptions.pairPrefix != null) {
      set("--pair-prefix", () -> embedder.setPairPrefix(inputOptions.pairPrefix));
    }
    if (maxSeqLength != null) {
      set("--max-seq-length", () -> embedder.setMaxSeqLength(maxSeqLength));
    }
    if (batchSize != null) {
      set("--batch-size", () -> embedder.setBatchSize(batchSize));
    }
    return embedder;
  }

  private static void set(String option, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private static String configJson(TokenizerBundle bundle) {
    byte[] bytes = bundle.configBytes();
    return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static int[] clip(int[] lengths, int maxSeqLength) {
    int[] out = new int[lengths.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(lengths[i], maxSeqLength);
    }
    return out;
  }

  /** The share of rows that repeat an earlier sampled row: by text and pair text, or by the first text alone. */
  static double repeatShare(List<TextInput> rows, boolean wholePair) {
    List<Object> keys = new ArrayList<>(rows.size());
    for (TextInput row : rows) {
      keys.add(wholePair ? row : row.text());
    }
    int repeats = 0;
    for (int sameAs : DuplicateRows.firstOccurrences(keys)) {
      repeats += sameAs == DuplicateRows.FIRST ? 0 : 1;
    }
    return rows.isEmpty() ? 0 : (double) repeats / rows.size();
  }

  private String embedLine(InputSource source, InputFormat resolved, String text, int recommended) {
    List<String> args = new ArrayList<>(List.of("kluespark", "embed", "--model", model));
    args.addAll(source.embedOptions(resolved));
    args.addAll(List.of("--text-col", text));
    if (inputOptions.pairCol != null) {
      args.addAll(List.of("--pair-col", inputOptions.pairCol));
    }
    if (inputOptions.textPrefix != null && !inputOptions.textPrefix.isEmpty()) {
      args.addAll(List.of("--text-prefix", inputOptions.textPrefix));
    }
    if (inputOptions.pairPrefix != null && !inputOptions.pairPrefix.isEmpty()) {
      args.addAll(List.of("--pair-prefix", inputOptions.pairPrefix));
    }
    args.addAll(List.of("--max-seq-length", Integer.toString(recommended)));
    if (batchSize != null) {
      args.addAll(List.of("--batch-size", Integer.toString(batchSize)));
    }
    args.addAll(List.of("--output", "OUTPUT"));
    return String.join(" ", args.stream().map(ProfileCommand::shellQuoted).toList());
  }

  static String shellQuoted(String arg) {
    return arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }

  private static void progress(PrintWriter err, String what) {
    err.println("kluespark: profile: " + what + "...");
    err.flush();
  }
}
