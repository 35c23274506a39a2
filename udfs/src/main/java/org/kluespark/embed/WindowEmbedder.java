package org.kluespark.embed;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.kluespark.inference.EncoderOutput;
import org.kluespark.inference.BatchRunner;
import org.kluespark.inference.OutOfMemory;
import org.kluespark.inference.SessionClosedException;
import org.kluespark.inference.TokenBatch;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds one window of rows: tokenize every row, sort by token count, cut batches of at most {@code batchSize}
 * where lengths jump ({@link BatchPlanner}), pad each batch only to its own longest row, run, pool, and put
 * results back in input order.
 *
 * <p>Sorting keeps rows of similar length together, so little compute is spent on padding; the order
 * users see never changes. Rows tokenized elsewhere (the two-stage pipeline's id columns) enter at
 * {@link #embedTokenized(List)} and go through exactly the same batches, so both paths give identical vectors.
 *
 * <p>With {@link EmbeddingSettings#reuseDuplicates()} (the default) a window's repeated text (same text and same
 * pair text) is tokenized once, rows with the same ids are run once, and every repeat gets its own copy of the
 * result; a repeat of a bad row fails the same way under its own index. Nulls are never merged with anything.
 */
public final class WindowEmbedder {
  private static final Logger LOG = LoggerFactory.getLogger(WindowEmbedder.class);
  private static final AtomicBoolean OOM_SPLIT_WARNED = new AtomicBoolean(); // one warning per executor JVM
  private static final AtomicBoolean ISOLATION_WARNED = new AtomicBoolean(); // one warning per executor JVM

  private final TextTokenizer tokenizer; // null when rows arrive tokenized
  private final BatchRunner session;
  private final EmbeddingSettings settings;
  private final EmbeddingListener listener;

  /**
   * @param listener told about null rows when a window starts and about every batch when it is done, so
   *     progress and metrics show while a large window runs
   */
  public WindowEmbedder(TextTokenizer tokenizer, BatchRunner session, EmbeddingSettings settings,
      EmbeddingListener listener) {
    this.tokenizer = tokenizer;
    this.session = session;
    this.settings = settings;
    this.listener = listener;
  }

  public WindowEmbedder(TextTokenizer tokenizer, BatchRunner session, EmbeddingSettings settings) {
    this(tokenizer, session, settings, EmbeddingListener.NONE);
  }

  /** For rows that arrive tokenized: only {@link #embedTokenized} works. */
  public WindowEmbedder(BatchRunner session, EmbeddingSettings settings, EmbeddingListener listener) {
    this(null, session, settings, listener);
  }

  /**
   * Results in the order of {@code inputs}; null where the input's text is null. A row that cannot be embedded
   * fails the call with a {@link RowEmbeddingException} naming its index.
   */
  public List<Embedding> embed(List<TextInput> inputs) throws OrtException {
    return embed(inputs, RowFailureHandler.FAIL);
  }

  /**
   * As {@link #embed(List)}, with {@code failures} told about every row that cannot be embedded: one the
   * tokenizer throws on, or one the model fails on when run alone. A batch that fails (other than for lack of
   * device memory) is retried row by row to find its bad rows; the others still get their embeddings. Rows
   * reported to {@code failures} get a null result unless it throws.
   */
  public List<Embedding> embed(List<TextInput> inputs, RowFailureHandler failures) throws OrtException {
    return embed(tokenize(inputs, failures), failures);
  }

  /**
   * Pre-processing alone, so it can run ahead on another thread ({@link WindowedIterator#pipelined}): every
   * row's tokens, null for null texts and for rows the tokenizer throws on, which go to {@code failures}.
   */
  public TokenizedWindow tokenize(List<TextInput> inputs, RowFailureHandler failures) {
    if (tokenizer == null) {
      throw new IllegalStateException("This WindowEmbedder has no tokenizer; use embedTokenized");
    }
    int n = inputs.size();
    // A repeated text (and pair text) is tokenized once; its rows share the tokens, and the model then runs
    // them once too (embedTokens). Null rows have no key, so they are never merged with anything.
    int[] sameAs = settings.reuseDuplicates() ? DuplicateRows.firstOccurrences(textKeys(inputs)) : null;
    TokenizedText[] tokenized = new TokenizedText[n];
    boolean[] failedRows = new boolean[n];
    RuntimeException[] errors = sameAs == null ? null : new RuntimeException[n];
    for (int i = 0; i < n; i++) {
      TextInput input = inputs.get(i);
      if (input.isNull()) {
        continue;
      }
      if (sameAs != null && sameAs[i] != DuplicateRows.FIRST) {
        int first = sameAs[i];
        if (failedRows[first]) { // each copy of a bad text fails the same way, under its own index
          failures.rowFailed(i, tokenizerFailure(errors[first]), errors[first]);
          failedRows[i] = true;
        } else {
          tokenized[i] = tokenized[first];
        }
        continue;
      }
      try {
        tokenized[i] = tokenizer.encode(input.text(), input.pair());
      } catch (RuntimeException e) {
        if (errors != null) {
          errors[i] = e;
        }
        failures.rowFailed(i, tokenizerFailure(e), e);
        failedRows[i] = true;
      }
    }
    return new TokenizedWindow(tokenized, failedRows);
  }

  private static String tokenizerFailure(RuntimeException e) {
    return "the tokenizer failed: " + e;
  }

  /** Each row's text and pair text as one key (null pair and "" pair differ); null for null rows. */
  private static List<TextInput> textKeys(List<TextInput> inputs) {
    List<TextInput> keys = new ArrayList<>(inputs.size());
    for (TextInput input : inputs) {
      keys.add(input.isNull() ? null : input);
    }
    return keys;
  }

  /** Inference and post-processing of a window {@link #tokenize} prepared. */
  public List<Embedding> embed(TokenizedWindow window, RowFailureHandler failures) throws OrtException {
    return embedTokens(window.tokens(), window.failedRows(), failures);
  }

  /** A window's tokens: null for null rows and for {@code failedRows}, which the tokenizer could not take. */
  public record TokenizedWindow(TokenizedText[] tokens, boolean[] failedRows) {}

  /** Results in the order of {@code rows}; null where the row is null (a row with null outputs). */
  public List<Embedding> embedTokenized(List<TokenizedText> rows) throws OrtException {
    return embedTokenized(rows, new boolean[rows.size()], RowFailureHandler.FAIL);
  }

  /**
   * As {@link #embedTokenized(List)}, with rows the model fails on alone reported to {@code failures};
   * {@code failedRows[i]} marks a null row that already failed upstream (counted as failed, not as null).
   */
  public List<Embedding> embedTokenized(List<TokenizedText> rows, boolean[] failedRows, RowFailureHandler failures)
      throws OrtException {
    return embedTokens(rows.toArray(new TokenizedText[0]), failedRows, failures);
  }

  /** Sorts by length, batches and runs; {@code tokenized[i]} is null for null rows and for {@code failed} ones. */
  private List<Embedding> embedTokens(TokenizedText[] tokenized, boolean[] failedRows, RowFailureHandler failures)
      throws OrtException {
    int n = tokenized.length;
    if (failedRows.length != n) {
      throw new IllegalArgumentException("failedRows has " + failedRows.length + " entries for " + n + " rows");
    }
    // Rows the model would see identically (same ids and type ids) run once, and the others get a copy of the
    // result. The copies are bit-identical to running each row because ONNX Runtime's CPU provider gives a row
    // the same output whatever else its batch holds (measured with MiniLM and one intra-op thread: the 7,038 KLUE
    // STS+NLI dev sentences run with and without their 2,000 repeats, every pooled and token vector equal; also
    // ReuseDuplicatesKlueTest). Not measured on a GPU, whose kernels may depend on the batch shape.
    int[] sameAs = settings.reuseDuplicates()
        ? DuplicateRows.firstOccurrences(modelInputKeys(tokenized)) : new int[0];
    Map<Integer, List<Integer>> copies = copiesOf(sameAs);
    RowFailureHandler rowFailures = copies.isEmpty() ? failures : (row, reason, cause) -> {
      failures.rowFailed(row, reason, cause);
      List<Integer> rowCopies = copies.get(row);
      if (rowCopies != null) { // every copy of a bad row fails the same way, under its own index
        for (int copy : rowCopies) {
          failures.rowFailed(copy, reason, cause);
        }
        listener.failedRows(rowCopies.size());
      }
    };
    List<Integer> order = new ArrayList<>(n);
    int nulls = 0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
      if (tokenized[i] != null) {
        if (sameAs.length == 0 || sameAs[i] == DuplicateRows.FIRST) {
          order.add(i);
        }
      } else if (failedRows[i]) {
        failed++;
      } else {
        nulls++;
      }
    }
    order.sort(Comparator.comparingInt(i -> tokenized[i].length()));
    if (nulls > 0) {
      listener.nullRows(nulls);
    }
    if (failed > 0) {
      listener.failedRows(failed);
    }

    Embedding[] results = new Embedding[n];
    Set<Integer> layersToFetch = settings.layersToFetch();
    int[] sortedLengths = new int[order.size()];
    for (int i = 0; i < sortedLengths.length; i++) {
      sortedLengths[i] = tokenized[order.get(i)].length();
    }
    int[] ends = BatchPlanner.plan(sortedLengths, settings.batchSizeOn(session.target()),
        BatchPlanner.batchCostTokens(session.target()));
    int start = 0;
    for (int end : ends) {
      runBatch(order.subList(start, end), tokenized, layersToFetch, results, rowFailures);
      start = end;
    }
    copyDuplicates(sameAs, results);
    return Arrays.asList(results);
  }

  private static List<Object> modelInputKeys(TokenizedText[] tokenized) {
    List<Object> keys = new ArrayList<>(tokenized.length);
    for (TokenizedText text : tokenized) {
      keys.add(DuplicateRows.modelInputKey(text));
    }
    return keys;
  }

  /** Each first occurrence that has duplicates, with their indices. */
  private static Map<Integer, List<Integer>> copiesOf(int[] sameAs) {
    Map<Integer, List<Integer>> copies = new HashMap<>();
    for (int i = 0; i < sameAs.length; i++) {
      if (sameAs[i] != DuplicateRows.FIRST) {
        copies.computeIfAbsent(sameAs[i], first -> new ArrayList<>()).add(i);
      }
    }
    return copies;
  }

  /**
   * Gives each duplicate row its own copy of the first occurrence's result (none when that row failed: it was
   * reported with its copies). Copies, not shared arrays: after a stage whose output is not serialized (a
   * following mapPartitions), user code receives these very arrays and may modify them in place.
   */
  private void copyDuplicates(int[] sameAs, Embedding[] results) {
    int copied = 0;
    int truncated = 0;
    for (int i = 0; i < sameAs.length; i++) {
      Embedding first = sameAs[i] == DuplicateRows.FIRST ? null : results[sameAs[i]];
      if (first != null) {
        results[i] = copy(first);
        copied++;
        truncated += first.truncated() ? 1 : 0;
      }
    }
    if (copied > 0) {
      listener.duplicateRows(copied, truncated);
    }
  }

  private static Embedding copy(Embedding e) {
    float[][][] layers = null;
    if (e.layers() != null) {
      layers = new float[e.layers().length][][];
      for (int k = 0; k < layers.length; k++) {
        layers[k] = copy(e.layers()[k]);
      }
    }
    return new Embedding(e.pooled().clone(), copy(e.sequence()), e.tokens(), e.truncated(), layers);
  }

  private static float[][] copy(float[][] tokens) {
    if (tokens == null) {
      return null;
    }
    float[][] out = new float[tokens.length][];
    for (int t = 0; t < out.length; t++) {
      out[t] = tokens[t].clone();
    }
    return out;
  }

  /**
   * Pads, runs and post-processes one batch into {@code results}. A batch the device has no memory for is
   * split in halves and each half retried, down to single rows, instead of failing the task. A batch that fails
   * otherwise is retried row by row, and each row that still fails alone goes to {@code failures}.
   */
  private void runBatch(List<Integer> batchRows, TokenizedText[] tokenized, Set<Integer> layersToFetch,
      Embedding[] results, RowFailureHandler failures) throws OrtException {
    List<TokenizedText> batchTexts = new ArrayList<>(batchRows.size());
    long realTokens = 0;
    int truncated = 0;
    for (int row : batchRows) {
      batchTexts.add(tokenized[row]);
      realTokens += tokenized[row].length();
      truncated += tokenized[row].truncated() ? 1 : 0;
    }
    TokenBatch batch = TokenBatch.pad(batchTexts, session.padTokenId());
    long started = System.nanoTime();
    EncoderOutput output;
    try {
      output = session.run(batch, layersToFetch);
    } catch (SessionClosedException e) {
      throw e; // the JVM is going away: no row is to blame
    } catch (OrtException | RuntimeException e) {
      if (!(e instanceof OrtException ort) || !OutOfMemory.isOutOfMemory(ort)) {
        isolateBadRows(batchRows, tokenized, layersToFetch, results, failures, batch, e);
        return;
      }
      if (batchRows.size() == 1) {
        throw new IllegalStateException("ONNX Runtime ran out of memory on " + session.target() + " for a single "
            + "row of " + batch.seqLen() + " tokens: " + e.getMessage() + ". Lower maxSeqLength, run on a device "
            + "with more memory, or give the executor fewer concurrent tasks.", e);
      }
      if (OOM_SPLIT_WARNED.compareAndSet(false, true)) {
        LOG.warn("Out of memory on {} for a batch of {} rows x {} tokens; splitting it and retrying. Lower "
            + "batchSize to avoid the retries.", session.target(), batch.rows(), batch.seqLen());
      }
      listener.batchSplit();
      int half = batchRows.size() / 2;
      runBatch(batchRows.subList(0, half), tokenized, layersToFetch, results, failures);
      runBatch(batchRows.subList(half, batchRows.size()), tokenized, layersToFetch, results, failures);
      return;
    }
    long inferenceNanos = System.nanoTime() - started;
    for (int b = 0; b < batchRows.size(); b++) {
      int row = batchRows.get(b);
      results[row] = postProcess(output, b, tokenized[row]);
    }
    listener.batchDone(batchRows.size(), realTokens, batch.paddedTokens(), truncated, inferenceNanos);
  }

  /**
   * A batch failed for a reason other than memory: a single row is reported as bad; a larger batch is run again
   * one row at a time, so only the rows that fail alone are reported and the others are embedded.
   */
  private void isolateBadRows(List<Integer> batchRows, TokenizedText[] tokenized, Set<Integer> layersToFetch,
      Embedding[] results, RowFailureHandler failures, TokenBatch batch, Exception e) throws OrtException {
    if (batchRows.size() == 1) {
      int row = batchRows.get(0);
      failures.rowFailed(row, "the model failed on this row alone (" + tokenized[row].length() + " tokens): "
          + e.getMessage(), e);
      listener.failedRows(1);
      return;
    }
    if (ISOLATION_WARNED.compareAndSet(false, true)) {
      LOG.warn("The model failed on a batch of {} rows x {} tokens on {} ({}); running its rows one by one to find "
          + "the bad ones.", batch.rows(), batch.seqLen(), session.target(), e.getMessage());
    }
    for (int i = 0; i < batchRows.size(); i++) {
      runBatch(batchRows.subList(i, i + 1), tokenized, layersToFetch, results, failures);
    }
  }

  private Embedding postProcess(EncoderOutput output, int b, TokenizedText text) {
    int length = text.length();
    float[] pooled = settings.poolRow(output, b, length);
    float[][] sequence = settings.sequenceOutput() ? tokens(output.lastHiddenState(), output, b, length) : null;
    float[][][] layers = null;
    if (settings.encoderOutputs()) {
      List<Integer> requested = settings.encoderLayers();
      layers = new float[requested.size()][][];
      for (int k = 0; k < layers.length; k++) {
        layers[k] = tokens(output.hiddenState(requested.get(k)), output, b, length);
      }
    }
    return new Embedding(pooled, sequence, length, text.truncated(), layers);
  }

  /** Row {@code b}'s first {@code length} token vectors of a [rows, seqLen, hidden] output. */
  private static float[][] tokens(float[] values, EncoderOutput output, int b, int length) {
    float[][] tokens = new float[length][];
    for (int t = 0; t < length; t++) {
      int offset = output.tokenOffset(b, t);
      tokens[t] = Arrays.copyOfRange(values, offset, offset + output.hidden());
    }
    return tokens;
  }
}
