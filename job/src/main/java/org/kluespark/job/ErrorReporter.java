package org.kluespark.job;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into exit codes and short messages on stderr. A user mistake (a bad option, a missing path,
 * a missing column, an unusable model: {@link IllegalArgumentException}s and Spark's
 * {@link AnalysisException}s) is one line and exit code {@value #USAGE}; anything else is its message and its
 * causes' messages and exit code {@value #FAILURE}. Stack traces only with --verbose.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int FAILURE = 1;
  static final int USAGE = 2;
  static final String PREFIX = "kluespark: error: ";

  /** Commands with a --verbose option (it may also come from a --conf file). */
  interface Verbose {
    boolean verbose();
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    StringBuilder line = new StringBuilder(PREFIX).append(e.getMessage());
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
      line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append("?)");
    }
    line.append("; see '").append(command.getCommandSpec().qualifiedName()).append(" --help'.");
    command.getErr().println(line);
    command.getErr().flush();
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    boolean verbose = command.getCommand() instanceof Verbose v && v.verbose();
    return report(e, verbose, command.getErr());
  }

  static int report(Throwable e, boolean verbose, PrintWriter err) {
    boolean usage = isUserMistake(e);
    List<String> lines = usage ? List.of(firstLine(e)) : messages(e);
    err.println(PREFIX + lines.get(0));
    for (String cause : lines.subList(1, lines.size())) {
      err.println("  caused by: " + cause);
    }
    if (verbose) {
      e.printStackTrace(err);
    } else if (!usage) {
      err.println("  (run with --verbose for the stack trace)");
    }
    err.flush();
    return usage ? USAGE : FAILURE;
  }

  static boolean isUserMistake(Throwable e) {
    return e instanceof IllegalArgumentException || e instanceof AnalysisException
        || e instanceof org.kluespark.convert.ConversionException;
  }

  /** The message of the failure and of each distinct cause, without the stack traces Spark embeds in them. */
  static List<String> messages(Throwable e) {
    List<String> lines = new ArrayList<>();
    for (Throwable t = e; t != null && lines.size() < 10; t = t.getCause() == t ? null : t.getCause()) {
      String message = withoutStackTrace(t);
      if (lines.stream().noneMatch(seen -> seen.contains(message))) {
        lines.add(message);
      }
    }
    return lines;
  }

  private static String firstLine(Throwable e) {
    String message = describe(e);
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  // Spark's job failures carry the executor's stack trace in their message ("\tat ...", "Driver stacktrace:").
  private static String withoutStackTrace(Throwable e) {
    StringBuilder kept = new StringBuilder();
    for (String line : describe(e).split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("at ") || trimmed.startsWith("Driver stacktrace:") || trimmed.startsWith("... ")) {
        break;
      }
      if (!trimmed.isEmpty()) {
        kept.append(kept.length() == 0 ? "" : " ").append(trimmed);
      }
    }
    return kept.toString();
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getName() : message;
  }
}
