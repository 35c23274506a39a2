package org.kluespark.datasets;

/**
 * A KLUE file that does not follow its task's format. The message starts with the file and the 1-based line,
 * {@code "<file>, line <n>: <what is wrong>"}, so it stays readable when Spark wraps it in a task failure.
 */
public final class KlueFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;

  public KlueFormatException(String file, long line, String problem) {
    super(file + ", line " + line + ": " + problem);
    this.file = file;
    this.line = line;
  }

  /** The file as Spark names it (a URI such as {@code file:/data/klue-ner-v1.1_dev.tsv}). */
  public String file() {
    return file;
  }

  /** 1-based line number in {@link #file()}. */
  public long line() {
    return line;
  }
}
