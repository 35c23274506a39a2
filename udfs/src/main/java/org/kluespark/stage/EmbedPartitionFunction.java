package org.kluespark.stage;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
import org.kluespark.tokenize.TokenizerCache;

/**
 * The executor side of the stage: streams a partition window by window through the JVM's shared
 * tokenizer and session, and appends the output columns to each input row, in input order.
 */
final class EmbedPartitionFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<ModelBundle> model;
  private final ModelSignature signature;
  private final SessionSettings sessionSettings;
  private final EmbeddingSettings settings;
  private final int textIndex;
  private final int pairIndex; // -1 without a pair column
  private final OutputLayout layout;
  private final EmbeddingCounters counters;

  EmbedPartitionFunction(Broadcast<ModelBundle> model, ModelSignature signature, SessionSettings sessionSettings,
      EmbeddingSettings settings, int textIndex, int pairIndex, OutputLayout layout, EmbeddingCounters counters) {
    this.model = model;
    this.signature = signature;
    this.sessionSettings = sessionSettings;
    this.settings = settings;
    this.textIndex = textIndex;
    this.pairIndex = pairIndex;
    this.layout = layout;
    this.counters = counters;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    ModelBundle bundle = model.value();
    EncoderSession session = SessionCache.get(bundle, signature, sessionSettings, counters::modelLoaded);
    WindowEmbedder embedder = new WindowEmbedder(
        TokenizerCache.get(bundle, settings.maxSeqLength()), session, settings, counters);
    int window = Math.max(settings.windowSize(), settings.batchSizeOn(session.target()));
    return new WindowedIterator<>(rows, window, batch -> embedWindow(embedder, batch));
  }

  private List<Row> embedWindow(WindowEmbedder embedder, List<Row> rows) {
    List<TextInput> inputs = new ArrayList<>(rows.size());
    for (Row row : rows) {
      inputs.add(inputOf(row));
    }
    List<Embedding> embeddings;
    try {
      embeddings = embedder.embed(inputs);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows.size() + " rows: "
          + e.getMessage(), e);
    }
    List<Row> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      int width = row.length();
      Object[] values = new Object[width + layout.width()];
      for (int c = 0; c < width; c++) {
        values[c] = row.get(c);
      }
      layout.fill(values, width, embeddings.get(i));
      out.add(RowFactory.create(values));
    }
    return out;
  }

  /** A null text, or a null second text of a pair, gives the row null outputs. */
  private TextInput inputOf(Row row) {
    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
    if (pairIndex < 0) {
      return TextInput.of(text);
    }
    String pair = row.isNullAt(pairIndex) ? null : row.getString(pairIndex);
    return pair == null ? new TextInput(null, null) : new TextInput(text, pair);
  }
}
