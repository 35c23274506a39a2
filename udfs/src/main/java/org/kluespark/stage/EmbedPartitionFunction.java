package org.kluespark.stage;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kluespark.embed.DuplicateRows;
import org.kluespark.embed.Embedding;
import org.kluespark.embed.EmbeddingSettings;
import org.kluespark.embed.RowEmbeddingException;
import org.kluespark.embed.RowFailureHandler;
import org.kluespark.embed.TokenizeAhead;
import org.kluespark.embed.WindowEmbedder;
import org.kluespark.embed.WindowedIterator;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.SessionCache;
import org.kluespark.inference.SessionSettings;
import org.kluespark.metrics.EmbeddingCounters;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
import org.kluespark.tokenize.TokenizedText;

/**
 * The executor side of the encoder stages: streams a partition window by window, reads each row's tokens
 * (tokenizing text with the JVM's shared tokenizer, or reading a preprocessor's id columns), runs them
 * through the JVM's shared session and appends the output columns to each input row, in input order.
 *
 * <p>A row that cannot be embedded fails the task with its position (partition and index within it) and the
 * reason, or, with an error column, keeps null outputs and the reason in that column.
 */
final class EmbedPartitionFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final PartitionEmbedder embedder;
  private final TokenSource tokens;
  private final String inputCol; // for messages
  private final OutputLayout layout;

  EmbedPartitionFunction(PartitionEmbedder embedder, TokenSource tokens, String inputCol, OutputLayout layout) {
    this.embedder = embedder;
    this.tokens = tokens;
    this.inputCol = inputCol;
    this.layout = layout;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    EncoderSession session = embedder.session();
    WindowEmbedder windows = new WindowEmbedder(session, embedder.settings(), embedder.counters());
    int partition = TaskContext.getPartitionId();
    // The next window's tokens are read (tokenized) ahead while this window runs through the model.
    return WindowedIterator.pipelined(rows, embedder.windowRows(session),
        (window, firstRow) -> readTokens(window, partition, firstRow),
        read -> embedWindow(windows, read), TokenizeAhead.executor());
  }

  /** A window's rows, their tokens (null for null or failed rows) and each failed row's reason. */
  private record WindowTokens(List<Row> rows, List<TokenizedText> tokens, boolean[] failed, String[] errors,
      RowFailureHandler failures) {}

  /** Pre-processing, ahead of the model: runs on a tokenizer thread, touching only this window's rows. */
  private WindowTokens readTokens(List<Row> rows, int partition, long firstRow) {
    List<TokenizedText> inputs = new ArrayList<>(rows.size());
    String[] errors = new String[rows.size()];
    RowFailureHandler failures = layout.hasErrorCol()
        ? (row, reason, cause) -> errors[row] = reason
        : (row, reason, cause) -> {
          throw new RowEmbeddingException("Row " + (firstRow + row) + " of partition " + partition + " (column `"
              + inputCol + "`) cannot be embedded: " + reason + ". Set errorCol (kluespark embed --error-col COL) "
              + "to keep such rows with null outputs and the reason in that column.", cause);
        };
    boolean[] failed = new boolean[rows.size()];
    // A repeated text is tokenized once (reuseDuplicates); the WindowEmbedder then runs it once.
    int[] sameAs = embedder.settings().reuseDuplicates() ? DuplicateRows.firstOccurrences(duplicateKeys(rows)) : null;
    RuntimeException[] readErrors = new RuntimeException[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      if (sameAs != null && sameAs[i] != DuplicateRows.FIRST) {
        int first = sameAs[i];
        if (failed[first]) { // each copy of a bad row fails the same way, under its own index
          failures.rowFailed(i, readFailure(readErrors[first]), readErrors[first]);
          failed[i] = true;
        }
        inputs.add(inputs.get(first));
        continue;
      }
      TokenizedText read = null;
      try {
        read = tokens.read(rows.get(i));
      } catch (RuntimeException e) {
        readErrors[i] = e;
        failures.rowFailed(i, readFailure(e), e);
        failed[i] = true;
      }
      inputs.add(read);
    }
    return new WindowTokens(rows, inputs, failed, errors, failures);
  }

  private List<Object> duplicateKeys(List<Row> rows) {
    List<Object> keys = new ArrayList<>(rows.size());
    for (Row row : rows) {
      keys.add(tokens.duplicateKey(row));
    }
    return keys;
  }

  private static String readFailure(RuntimeException e) {
    return "its tokens could not be read: " + e.getMessage();
  }

  private List<Row> embedWindow(WindowEmbedder embedder, WindowTokens window) {
    List<Row> rows = window.rows();
    List<TokenizedText> inputs = window.tokens();
    List<Embedding> embeddings;
    try {
      embeddings = embedder.embedTokenized(inputs, window.failed(), window.failures());
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows.size() + " rows: "
          + e.getMessage(), e);
    }
    List<Row> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      Object[] values = OutputRows.inputValuesWithRoom(row, layout.width());
      layout.fill(values, row.length(), embeddings.get(i), inputs.get(i), window.errors()[i]);
      out.add(RowFactory.create(values));
    }
    return out;
  }
}
