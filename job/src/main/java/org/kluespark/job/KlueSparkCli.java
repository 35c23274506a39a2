package org.kluespark.job;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code kluespark} command: {@code embed}, {@code profile}, {@code info}, {@code convert} and {@code synth}. The entry point of job/bin/kluespark and of
 * the spark-submit jar.
 *
 * <p>Exit codes: 0 success, 2 a usage or input problem (the message says what to fix), 1 any other failure.
 */
@Command(name = "kluespark", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "BERT-family text embeddings at Spark scale with ONNX Runtime.",
    subcommands = {EmbedCommand.class, InfoCommand.class, ConvertCommand.class, QuantizeCommand.class,
        SynthCommand.class, ProfileCommand.class})
public final class KlueSparkCli implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    int exitCode = run(args);
    if (System.getenv(DATABRICKS_RUNTIME) != null) {
      // Databricks JAR tasks must not call System.exit: return on success, throw to fail the task.
      if (exitCode != 0) {
        throw new IllegalStateException("kluespark failed with exit code " + exitCode + " (see the error above)");
      }
      return;
    }
    System.exit(exitCode);
  }

  /** Set by Databricks in every cluster process. */
  static final String DATABRICKS_RUNTIME = "DATABRICKS_RUNTIME_VERSION";

  /** Runs the command line and returns its exit code, without exiting. */
  public static int run(String... args) {
    // UTF-8 whatever the platform default: Korean text in --show output and messages must survive.
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    return run(out, err, args);
  }

  static int run(PrintWriter out, PrintWriter err, String... args) {
    ErrorReporter errors = new ErrorReporter();
    CommandLine commandLine = new CommandLine(new KlueSparkCli())
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(errors)
        .setParameterExceptionHandler(errors);
    try {
      return commandLine.execute(args);
    } catch (LinkageError e) {
      // A missing jar (e.g. onnxruntime not passed to spark-submit) surfaces as NoClassDefFoundError.
      return ErrorReporter.report(e, false, err);
    }
  }

  /** {@code kluespark} alone: show what it can do. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorReporter.USAGE;
  }
}
