package org.kluespark.stage;

import ai.onnxruntime.OrtException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.kluespark.embed.Embedding;
import org.kluespark.embed.EmbeddingSettings;
import org.kluespark.embed.MappingIterator;
import org.kluespark.embed.RowFailureHandler;
import org.kluespark.embed.TextInput;
import org.kluespark.embed.TokenizeAhead;
import org.kluespark.embed.WindowEmbedder;
import org.kluespark.embed.WindowEmbedder.TokenizedWindow;
import org.kluespark.embed.WindowedIterator;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.SessionCache;
import org.kluespark.inference.SessionSettings;
import org.kluespark.metrics.EmbeddingCounters;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
import org.kluespark.tokenize.TextPrefixes;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizerCache;

/**
 * What a task needs to embed rows the way a configured {@link TextEmbedder} does: made on the driver by
 * {@link TextEmbedder#partitionEmbedder}, shipped with the task, and run over a partition of any row type.
 * The stage's {@code mapPartitions} and the SQL functions ({@code org.kluespark.sql}) both go through
 * {@link #embed}, so they batch, count and order rows identically.
 */
public final class PartitionEmbedder implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<ModelBundle> model;
  private final ModelSignature signature;
  private final SessionSettings sessionSettings;
  private final EmbeddingSettings settings;
  private final EmbeddingCounters counters;
  private final TextPrefixes prefixes; // put before the texts of embed's TextInputs

  PartitionEmbedder(Broadcast<ModelBundle> model, ModelSignature signature, SessionSettings sessionSettings,
      EmbeddingSettings settings, EmbeddingCounters counters) {
    this(model, signature, sessionSettings, settings, counters, TextPrefixes.NONE);
  }

  private PartitionEmbedder(Broadcast<ModelBundle> model, ModelSignature signature,
      SessionSettings sessionSettings, EmbeddingSettings settings, EmbeddingCounters counters,
      TextPrefixes prefixes) {
    this.model = model;
    this.signature = signature;
    this.sessionSettings = sessionSettings;
    this.settings = settings;
    this.counters = counters;
    this.prefixes = prefixes;
  }

  /** This embedder with {@code prefixes} put before every text {@link #embed} and {@link #tokens} get. */
  PartitionEmbedder withPrefixes(TextPrefixes value) {
    return new PartitionEmbedder(model, signature, sessionSettings, settings, counters, value);
  }

  /** The instruction prefixes put before each text ({@code textPrefix}, {@code pairPrefix}). */
  public TextPrefixes prefixes() {
    return prefixes;
  }

  public EmbeddingSettings settings() {
    return settings;
  }

  Broadcast<ModelBundle> model() {
    return model;
  }

  /** Executor side: the JVM's shared session for this model. */
  EncoderSession session() {
    return SessionCache.get(model.value(), signature, sessionSettings, counters);
  }

  /** Rows held per window: the window size, and at least one batch on the session's device. */
  int windowRows(EncoderSession session) {
    return Math.max(settings.windowSize(), settings.batchSizeOn(session.target()));
  }

  /** The counters every batch of this embedder adds to (driver-side values after an action). */
  public EmbeddingCounters counters() {
    return counters;
  }

  /** Executor side: the JVM's shared tokenizer for this model and {@code maxSeqLength}. */
  public TextTokenizer tokenizer() {
    return TokenizerCache.get(model.value(), settings.maxSeqLength());
  }

  /** Executor side: the model's tokens of {@code text} after its prefix, as {@link #embed} feeds them. */
  public String[] tokens(String text) {
    return tokenizer().tokens(text, prefixes);
  }

  /**
   * Executor side: streams {@code rows} window by window through the JVM's shared session, yielding
   * {@code output(row, embedding)} for every row in input order ({@code embedding} null for a null text). The
   * next window is tokenized ahead while this one runs ({@link WindowedIterator#pipelined}); {@code input} runs
   * on the task's thread as rows are pulled. Rows are held for up to two windows, so {@code rows} must not
   * reuse its objects (copy Spark's InternalRows). Each text gets its prefix ({@link #prefixes}) before it is
   * tokenized, so rows repeat one another only when their prefixed texts are equal.
   */
  public <T, R> Iterator<R> embed(Iterator<T> rows, Function<T, TextInput> input,
      BiFunction<T, Embedding, R> output) {
    ModelBundle bundle = model.value();
    EncoderSession session = session();
    WindowEmbedder embedder = new WindowEmbedder(
        TokenizerCache.get(bundle, settings.maxSeqLength()), session, settings, counters);
    Iterator<RowInput<T>> withInputs =
        MappingIterator.map(rows, row -> new RowInput<>(row, prefixed(input.apply(row))));
    return WindowedIterator.pipelined(withInputs, windowRows(session),
        (window, firstRow) -> new TokenizedRows<>(window, embedder.tokenize(inputsOf(window), RowFailureHandler.FAIL)),
        tokenized -> finishWindow(embedder, tokenized, output), TokenizeAhead.executor());
  }

  private TextInput prefixed(TextInput input) {
    if (prefixes.isNone() || input.isNull()) {
      return input;
    }
    return new TextInput(prefixes.prefixText(input.text()), prefixes.prefixPair(input.pair()));
  }

  /** A row and its text, read on the task's thread. */
  private record RowInput<T>(T row, TextInput input) {}

  /** A window's rows and their tokens. */
  private record TokenizedRows<T>(List<RowInput<T>> rows, TokenizedWindow tokens) {}

  private static <T> List<TextInput> inputsOf(List<RowInput<T>> window) {
    List<TextInput> inputs = new ArrayList<>(window.size());
    for (RowInput<T> row : window) {
      inputs.add(row.input());
    }
    return inputs;
  }

  private static <T, R> List<R> finishWindow(WindowEmbedder embedder, TokenizedRows<T> window,
      BiFunction<T, Embedding, R> output) {
    List<Embedding> embeddings;
    try {
      embeddings = embedder.embed(window.tokens(), RowFailureHandler.FAIL);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + window.rows().size() + " rows: "
          + e.getMessage(), e);
    }
    List<R> out = new ArrayList<>(embeddings.size());
    for (int i = 0; i < embeddings.size(); i++) {
      out.add(output.apply(window.rows().get(i).row(), embeddings.get(i)));
    }
    return out;
  }
}
