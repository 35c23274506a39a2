package org.kluespark.embed;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.kluespark.inference.EncoderOutput;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.TokenBatch;
import org.kluespark.pooling.Pooling;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/**
 * Embeds one window of rows: tokenize every row, sort by token count, cut batches of {@code batchSize},
 * pad each batch only to its own longest row, run, pool, and put results back in input order.
 *
 * <p>Sorting keeps rows of similar length together, so little compute is spent on padding; the order
 * users see never changes.
 */
public final class WindowEmbedder {
  private final TextTokenizer tokenizer;
  private final EncoderSession session;
  private final EmbeddingSettings settings;
  private final EmbeddingListener listener;

  /**
   * @param listener told about null rows when a window starts and about every batch when it is done, so
   *     progress and metrics show while a large window runs
   */
  public WindowEmbedder(TextTokenizer tokenizer, EncoderSession session, EmbeddingSettings settings,
      EmbeddingListener listener) {
    this.tokenizer = tokenizer;
    this.session = session;
    this.settings = settings;
    this.listener = listener;
  }

  public WindowEmbedder(TextTokenizer tokenizer, EncoderSession session, EmbeddingSettings settings) {
    this(tokenizer, session, settings, EmbeddingListener.NONE);
  }

  /** Results in the order of {@code inputs}; null where the input's text is null. */
  public List<Embedding> embed(List<TextInput> inputs) throws OrtException {
    int n = inputs.size();
    TokenizedText[] tokenized = new TokenizedText[n];
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TextInput input = inputs.get(i);
      if (!input.isNull()) {
        tokenized[i] = tokenizer.encode(input.text(), input.pair());
        order.add(i);
      }
    }
    order.sort(Comparator.comparingInt(i -> tokenized[i].length()));
    if (order.size() < n) {
      listener.nullRows(n - order.size());
    }

    Embedding[] results = new Embedding[n];
    for (int start = 0; start < order.size(); start += settings.batchSize()) {
      List<Integer> batchRows = order.subList(start, Math.min(order.size(), start + settings.batchSize()));
      List<TokenizedText> batchTexts = new ArrayList<>(batchRows.size());
      long realTokens = 0;
      int truncated = 0;
      for (int row : batchRows) {
        batchTexts.add(tokenized[row]);
        realTokens += tokenized[row].length();
        truncated += tokenized[row].truncated() ? 1 : 0;
      }
      TokenBatch batch = TokenBatch.pad(batchTexts, session.signature().padTokenId());
      long started = System.nanoTime();
      EncoderOutput output = session.run(batch);
      long inferenceNanos = System.nanoTime() - started;
      for (int b = 0; b < batchRows.size(); b++) {
        int row = batchRows.get(b);
        results[row] = postProcess(output, b, tokenized[row]);
      }
      listener.batchDone(batchRows.size(), realTokens, batch.paddedTokens(), truncated, inferenceNanos);
    }
    return Arrays.asList(results);
  }

  private Embedding postProcess(EncoderOutput output, int b, TokenizedText text) {
    int length = text.length();
    float[] pooled = settings.pooling().pool(output, b, length);
    if (settings.normalize()) {
      Pooling.l2Normalize(pooled);
    }
    float[][] sequence = null;
    if (settings.sequenceOutput()) {
      sequence = new float[length][];
      for (int t = 0; t < length; t++) {
        int offset = output.tokenOffset(b, t);
        sequence[t] = Arrays.copyOfRange(output.lastHiddenState(), offset, offset + output.hidden());
      }
    }
    return new Embedding(pooled, sequence, length, text.truncated());
  }
}
