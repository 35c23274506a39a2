package org.kluespark.job;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.kluespark.stage.TextEmbedder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kluespark embed}: reads a path or table, appends the embedding columns and writes a path or table.
 *
 * <p>Option fields stay null when not given, so a --conf file can fill them; the stage's own defaults apply to
 * whatever neither sets.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Embed a text column (or a pair of columns) and write every input column plus pooled_output "
        + "to a Parquet or Delta path, or to a catalog table.",
    footer = {"", "Options can also come from a --conf properties file as kluespark.<option>=<value> "
        + "(conf/kluespark-defaults.properties lists them); the command line wins."})
final class EmbedCommand implements Callable<Integer>, ErrorReporter.Verbose {
  private static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);
  // Options that make no sense inside a --conf file.
  private static final Set<String> NOT_IN_CONF = Set.of("conf", "help", "version");

  @Spec
  CommandSpec spec;

  @Option(names = "--model", paramLabel = "PATH|minilm", description = "Model bundle directory (model.onnx + "
      + "tokenizer.json, optional config.json) on any Hadoop file system, or the built-in model minilm. Required.")
  String model;

  @Mixin
  InputOptions inputOptions = new InputOptions();

  @Option(names = "--output", paramLabel = "PATH", description = "Output directory. This or --output-table is "
      + "required.")
  String output;

  @Option(names = "--output-table", paramLabel = "NAME", description = "Output table of the session's catalog "
      + "(name or db.name), instead of --output.")
  String outputTable;

  @Option(names = "--output-format", paramLabel = "FORMAT", description = "parquet or delta. Default: parquet "
      + "for --output; for --output-table, delta when Delta Lake is on the classpath (else the session's "
      + "spark.sql.sources.default), and an existing table's own format when appending or overwriting.")
  String outputFormat;

  @Option(names = "--mode", paramLabel = "MODE", description = "errorifexists (default), overwrite or append "
      + "(adds rows to an output with the same columns).")
  String mode;

  @Option(names = "--partition-by", paramLabel = "COLS", description = "Comma-separated output columns to "
      + "partition the output by (one directory per value).")
  String partitionBy;

  @Option(names = "--pooling", paramLabel = "MODE", description = "auto (default: the pooling the bundle "
      + "declares, else the model's pooler output if it has one, else cls), pooler, cls, mean, max, "
      + "mean_sqrt_len_tokens, weightedmean or lasttoken. An explicit mode replaces the declared one.")
  String pooling;

  @Option(names = "--max-seq-length", paramLabel = "N", description = "Tokens per row at most, special tokens "
      + "included. Default: 128.")
  Integer maxSeqLength;

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows per ONNX Runtime call. Default: 32.")
  Integer batchSize;

  @Option(names = "--sequence-output", description = "Also write the token vectors, as column "
      + EmbedSettings.SEQUENCE_OUTPUT_COL + ".")
  boolean sequenceOutput;

  // Negatable and null when not given: then the model's declaration decides (pooling=auto), or a --conf file.
  @Option(names = "--normalize", negatable = true, description = "Scale pooled vectors to unit length; "
      + "--no-normalize leaves them as pooled. Default: as the model declares with pooling=auto (minilm: "
      + "normalized), else not.")
  Boolean normalize;

  @Option(names = "--output-type", paramLabel = "TYPE", description = "array (default: array<float>) or "
      + "vector (Spark ML Vector).")
  String outputType;

  @Option(names = "--device", paramLabel = "DEVICE", description = "auto (default: the task's GPU if it has "
      + "one, else CPU), cpu or cuda.")
  String device;

  // Negatable: --no-reuse-duplicates turns it off; null when not given, so a --conf file can set it.
  @Option(names = "--reuse-duplicates", negatable = true, description = "--no-reuse-duplicates runs every row "
      + "through the model, even a row whose text (and pair text) an earlier row of its window already has. "
      + "Default: such a row gets a copy of that row's vectors (identical to running it), counted as duplicate "
      + "rows in the summary.")
  Boolean reuseDuplicates;

  @Option(names = "--error-col", paramLabel = "COL", description = "Keep rows that cannot be embedded (the "
      + "tokenizer or the model fails on them) with null outputs and the reason in this string column. Default: "
      + "such a row fails the job, naming its partition and index.")
  String errorCol;

  @Option(names = "--incremental", description = "Write --output as a Delta table and add only the input rows "
      + "whose --id-col value it does not have yet, in one Delta transaction (the first run creates it, with the "
      + "model's fingerprint and settings as table properties). Running again adds nothing; a run with another "
      + "model or settings is refused. --mode overwrite replaces the table with every input row.")
  boolean incremental;

  @Option(names = "--id-col", paramLabel = "COL", description = "With --incremental: the column that identifies "
      + "a row (unique, never null).")
  String idCol;

  @Option(names = "--conf", paramLabel = "FILE", description = "Properties file: kluespark.<option> keys set "
      + "options, spark.* keys configure the SparkSession.")
  Path conf;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master. Default: spark-submit's, else "
      + "local[*].")
  String master;

  @Option(names = "--partitions", paramLabel = "N", description = "Partitions to embed in, input order kept. "
      + "Default: the input's, raised to the cluster's parallelism when it has fewer.")
  Integer partitions;

  @Option(names = "--show", paramLabel = "N", description = "Print the first N output rows. Default: 0.")
  Integer show;

  @Option(names = "--progress-interval", paramLabel = "SECONDS", description = "Seconds between progress lines "
      + "on stderr; 0 turns them off. Default: 5.")
  Double progressInterval;

  @Option(names = "--verbose", description = "Print the settings, and stack traces on errors.")
  boolean verboseFlag;

  private boolean verbose;

  @Override
  public boolean verbose() {
    return verbose || verboseFlag;
  }

  @Override
  public Integer call() {
    ConfFile confFile = conf == null ? ConfFile.none() : ConfFile.load(conf, confOptions(spec));
    EmbedSettings settings = settings(confFile);
    verbose = settings.verbose();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (verbose) {
      err.println("kluespark: " + settings);
    }
    TextEmbedder embedder = settings.newEmbedder(); // bad option values fail here, before Spark starts
    InputSource source = settings.inputSource();
    boolean deltaOnClasspath = DeltaSupport.onClasspath();
    OutputTarget target = settings.outputTarget(deltaOnClasspath);
    boolean needsDelta = source.usesDelta() || target.usesDelta();
    if (source.usesDelta()) {
      DeltaSupport.requireJar("--format delta", DeltaSupport::classPresent);
    }
    if (target.usesDelta()) {
      DeltaSupport.requireJar(settings.incremental() ? "--incremental" : "--output-format delta",
          DeltaSupport::classPresent);
    }
    // A table may be Delta whatever the options say, so a session the job builds gets Delta whenever it can.
    boolean configureDelta = needsDelta || (deltaOnClasspath && (source.isTable() || target.isTable()));

    try (SessionHandle session = SessionHandle.obtain(settings.master(), confFile.sparkSettings(), configureDelta,
        err)) {
      SparkSession spark = session.spark();
      if (needsDelta) {
        DeltaSupport.requireSession(key -> spark.conf().getOption(key).isDefined() ? spark.conf().get(key) : null,
            System::getenv);
      }
      InputSource.Opened opened = source.open(spark);
      EmbedSettings.setTextColumn(embedder, settings.textColumn(opened.format()));
      if (settings.incremental()) {
        return incremental(spark, settings, embedder, opened, target, out, err);
      }
      target.checkBeforeRun(spark, opened.files());

      EmbedResult result = new EmbedJob(spark, err, settings.progressInterval())
          .run(opened.rows(), settings.partitions(), embedder, target);
      if (settings.show() > 0) {
        RowPreview.print(target.read(spark), settings.show(), out);
      }
      out.println(result.summaryLine());
      out.println(result.metricsLine());
      out.flush();
    }
    return 0;
  }

  /** --incremental: only the rows whose id the Delta output lacks, added in one transaction. */
  private static int incremental(SparkSession spark, EmbedSettings settings, TextEmbedder embedder,
      InputSource.Opened opened, OutputTarget target, PrintWriter out, PrintWriter err) {
    if (!target.isTable()) {
      // The output is meant to exist; only its place relative to the input is checked.
      PathChecks.checkOutput(target.path(), WriteMode.OVERWRITE, opened.files(),
          spark.sparkContext().hadoopConfiguration());
    }
    DeltaTarget delta = target.isTable() ? DeltaTarget.table(target.table()) : DeltaTarget.path(spark, target.path());
    IncrementalResult result = new IncrementalEmbed(spark, err, settings.progressInterval()).run(opened.rows(),
        embedder, settings.idCol(), delta, settings.mode() == WriteMode.OVERWRITE, settings.partitions(),
        target.partitionBy());
    if (settings.show() > 0) {
      RowPreview.print(target.read(spark), settings.show(), out);
    }
    out.println(result.summaryLine());
    if (result.newRows() > 0) {
      out.println(result.metricsLine());
    }
    out.flush();
    return 0;
  }

  /** The command line merged over the --conf file. */
  EmbedSettings settings(ConfFile confFile) {
    OptionResolver options = new OptionResolver(confFile);
    String formatValue = options.string("format", inputOptions.format);
    String modeValue = options.string("mode", mode);
    String outputFormatValue = options.string("output-format", outputFormat);
    String[] inputs = options.oneOf("input", inputOptions.input, "input-table", inputOptions.inputTable);
    String[] outputs = options.oneOf("output", output, "output-table", outputTable);
    Integer showValue = options.integer("show", show);
    Double intervalSeconds = options.decimal("progress-interval", progressInterval);
    return new EmbedSettings(
        options.required("model", model),
        inputs[0],
        inputs[1],
        formatValue == null ? null : InputFormat.parse(formatValue),
        options.string("text-col", inputOptions.textCol),
        options.string("pair-col", inputOptions.pairCol),
        outputs[0],
        outputs[1],
        modeValue == null ? WriteMode.ERRORIFEXISTS : WriteMode.parse(modeValue),
        outputFormatValue == null ? null : OutputFormat.parse(outputFormatValue),
        options.list("partition-by", partitionBy),
        options.string("pooling", pooling),
        options.integer("max-seq-length", maxSeqLength),
        options.integer("batch-size", batchSize),
        options.flag("sequence-output", sequenceOutput),
        options.bool("normalize", normalize),
        options.string("output-type", outputType),
        options.string("device", device),
        options.string("error-col", errorCol),
        !Boolean.FALSE.equals(options.bool("reuse-duplicates", reuseDuplicates)),
        options.string("master", master),
        options.integer("partitions", partitions),
        showValue == null ? 0 : showValue,
        intervalSeconds == null ? DEFAULT_PROGRESS_INTERVAL : Duration.ofMillis(Math.round(intervalSeconds * 1000)),
        options.flag("verbose", verboseFlag),
        options.flag("incremental", incremental),
        options.string("id-col", idCol),
        options.string("text-prefix", inputOptions.textPrefix),
        options.string("pair-prefix", inputOptions.pairPrefix));
  }

  /** The option names a --conf file may set as kluespark.<name>: every embed option but --conf and help. */
  static List<String> confOptions(CommandSpec spec) {
    return spec.options().stream()
        .map(OptionSpec::longestName)
        .map(name -> name.replaceFirst("^--", ""))
        .filter(name -> !NOT_IN_CONF.contains(name))
        .toList();
  }
}
