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
import org.kluespark.embed.TextInput;
import org.kluespark.embed.WindowEmbedder;
import org.kluespark.embed.WindowedIterator;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.SessionCache;
import org.kluespark.inference.SessionSettings;
import org.kluespark.metrics.EmbeddingCounters;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
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

  PartitionEmbedder(Broadcast<ModelBundle> model, ModelSignature signature, SessionSettings sessionSettings,
      EmbeddingSettings settings, EmbeddingCounters counters) {
    this.model = model;
    this.signature = signature;
    this.sessionSettings = sessionSettings;
    this.settings = settings;
    this.counters = counters;
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

  /**
   * Executor side: streams {@code rows} window by window through the JVM's shared session, yielding
   * {@code output(row, embedding)} for every row in input order ({@code embedding} null for a null text).
   * Rows are held for a window, so {@code rows} must not reuse its objects (copy Spark's InternalRows).
   */
  public <T, R> Iterator<R> embed(Iterator<T> rows, Function<T, TextInput> input,
      BiFunction<T, Embedding, R> output) {
    ModelBundle bundle = model.value();
    EncoderSession session = session();
    WindowEmbedder embedder = new WindowEmbedder(
        TokenizerCache.get(bundle, settings.maxSeqLength()), session, settings, counters);
    int window = windowRows(session);
    return new WindowedIterator<T, R>(rows, window, batch -> embedWindow(embedder, batch, input, output));
  }

  private static <T, R> List<R> embedWindow(WindowEmbedder embedder, List<T> rows, Function<T, TextInput> input,
      BiFunction<T, Embedding, R> output) {
    List<TextInput> inputs = new ArrayList<>(rows.size());
    for (T row : rows) {
      inputs.add(input.apply(row));
    }
    List<Embedding> embeddings;
    try {
      embeddings = embedder.embed(inputs);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows.size() + " rows: "
          + e.getMessage(), e);
    }
    List<R> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      out.add(output.apply(rows.get(i), embeddings.get(i)));
    }
    return out;
  }
}
