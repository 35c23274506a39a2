package org.kluespark.job;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures what it prints. */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KlueSparkCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** For assertion messages: everything the run printed. */
  String printed() {
    return "exit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
