package org.kluespark.job.profile;

/**
 * The real tokens of some rows as the model sees them (after truncation): their count, sum and sum of squares
 * (attention's cost grows with the square).
 */
public record TokenWork(long rows, long tokens, long squaredTokens) {
  public static TokenWork of(int[] lengths) {
    long tokens = 0;
    long squared = 0;
    for (int length : lengths) {
      tokens += length;
      squared += (long) length * length;
    }
    return new TokenWork(lengths.length, tokens, squared);
  }

  /** Real tokens per row, 0 for no rows. */
  public double meanTokens() {
    return rows == 0 ? 0 : (double) tokens / rows;
  }

  /** These rows' work scaled to {@code rows} rows of the same distribution. */
  public TokenWork scaledTo(long rows) {
    if (this.rows == 0) {
      return new TokenWork(rows, 0, 0);
    }
    double factor = (double) rows / this.rows;
    return new TokenWork(rows, Math.round(tokens * factor), Math.round(squaredTokens * factor));
  }
}
