package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ErrorReporterTest {
  @Test
  void userMistakeIsOneLineAndExitCodeTwo() {
    StringWriter err = new StringWriter();
    int code = ErrorReporter.report(new IllegalArgumentException("--output x already exists.",
        new RuntimeException("inner")), false, new PrintWriter(err));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("kluespark: error: --output x already exists." + System.lineSeparator());
  }

  @Test
  void otherFailuresListTheirCausesWithoutStackTraces() {
    Exception rootCause = new IllegalStateException("CUDA requested but no GPU");
    Exception sparkFailure = new RuntimeException("Job aborted due to stage failure: Task 0 failed: "
        + "java.lang.IllegalStateException: CUDA requested but no GPU\n\tat org.kluespark.X.run(X.java:1)\n"
        + "Driver stacktrace:\n\tat org.apache.spark.Y", new java.io.IOException("disk full", rootCause));
    StringWriter err = new StringWriter();

    int code = ErrorReporter.report(sparkFailure, false, new PrintWriter(err));

    assertThat(code).isEqualTo(1);
    assertThat(err.toString().lines()).containsExactly(
        "kluespark: error: Job aborted due to stage failure: Task 0 failed: java.lang.IllegalStateException: "
            + "CUDA requested but no GPU",
        "  caused by: disk full",
        "  (run with --verbose for the stack trace)");
  }

  @Test
  void exceptionWithoutMessageIsNamedByItsClass() {
    assertThat(ErrorReporter.messages(new NullPointerException())).containsExactly("java.lang.NullPointerException");
  }
}
