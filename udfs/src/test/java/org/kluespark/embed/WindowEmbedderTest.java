package org.kluespark.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.inference.BatchRunner;
import org.kluespark.inference.EncoderOutput;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.SessionClosedException;
import org.kluespark.inference.TokenBatch;
import org.kluespark.pooling.Pooling;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/** Batching, ordering and the out-of-memory split, with a fake model so any device failure can be staged. */
class WindowEmbedderTest {
  private static TextTokenizer tokenizer;

  @BeforeAll
  static void tokenizer() {
    tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 32);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** A fake encoder: token t of a row gets the vector (id, t); it "runs out of memory" above maxRows rows. */
  private static class FakeModel implements BatchRunner {
    final int maxRows;
    final List<Integer> batchSizes = new ArrayList<>();

    FakeModel(int maxRows) {
      this.maxRows = maxRows;
    }

    @Override
    public EncoderOutput run(TokenBatch batch) throws OrtException {
      if (batch.rows() > maxRows) {
        throw new OrtException("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : CUDA failure 2: out of memory");
      }
      batchSizes.add(batch.rows());
      float[] hidden = new float[batch.rows() * batch.seqLen() * 2];
      for (int i = 0; i < batch.rows() * batch.seqLen(); i++) {
        hidden[2 * i] = batch.inputIds()[i];
        hidden[2 * i + 1] = i % batch.seqLen();
      }
      return new EncoderOutput(batch.rows(), batch.seqLen(), 2, hidden, null);
    }

    @Override
    public long padTokenId() {
      return 0;
    }

    @Override
    public ExecutionTarget target() {
      return ExecutionTarget.cuda(1);
    }
  }

  private static final class CountingListener implements EmbeddingListener {
    int batches;
    int splits;
    int nulls;
    int failed;
    int rowsRun;
    int duplicates;
    int truncatedDuplicates;

    @Override
    public void duplicateRows(int rows, int truncatedRows) {
      duplicates += rows;
      truncatedDuplicates += truncatedRows;
    }

    @Override
    public void nullRows(int rows) {
      nulls += rows;
    }

    @Override
    public void failedRows(int rows) {
      failed += rows;
    }

    @Override
    public void batchDone(int rows, long realTokens, long paddedTokens, int truncatedRows, long inferenceNanos) {
      batches++;
      rowsRun += rows;
    }

    @Override
    public void batchSplit() {
      splits++;
    }
  }

  private static List<TextInput> inputs() {
    List<TextInput> inputs = new ArrayList<>();
    String[] texts = {"a long sentence about the weather in seoul today", "hi", null, "good morning",
        "the stage keeps input order", "one", "two words", "three little words", "the last one"};
    for (String text : texts) {
      inputs.add(TextInput.of(text));
    }
    return inputs;
  }

  private static List<Embedding> embed(FakeModel model, int batchSize, EmbeddingListener listener)
      throws OrtException {
    EmbeddingSettings settings = new EmbeddingSettings(32, batchSize, 64, Pooling.MEAN, false, true);
    return new WindowEmbedder(tokenizer, model, settings, listener).embed(inputs());
  }

  @Test
  void outOfMemoryBatchesAreSplitAndRetriedWithIdenticalResults() throws OrtException {
    List<Embedding> expected = embed(new FakeModel(Integer.MAX_VALUE), 8, EmbeddingListener.NONE);
    FakeModel smallDevice = new FakeModel(2);
    CountingListener listener = new CountingListener();

    List<Embedding> got = embed(smallDevice, 8, listener);

    assertThat(smallDevice.batchSizes).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2));
    assertThat(smallDevice.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
    assertThat(listener.splits).as("8 -> 4+4 -> 2+2+2+2").isEqualTo(3);
    assertThat(listener.batches).isEqualTo(4);
    assertThat(listener.nulls).isEqualTo(1);
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.size(); i++) {
      if (expected.get(i) == null) {
        assertThat(got.get(i)).isNull();
      } else {
        assertThat(got.get(i).pooled()).containsExactly(expected.get(i).pooled());
        assertThat(got.get(i).sequence()).isDeepEqualTo(expected.get(i).sequence());
      }
    }
  }

  @Test
  void resultsComeBackInInputOrderWhateverTheBatching() throws OrtException {
    List<Embedding> one = embed(new FakeModel(Integer.MAX_VALUE), 1, EmbeddingListener.NONE);
    List<Embedding> three = embed(new FakeModel(Integer.MAX_VALUE), 3, EmbeddingListener.NONE);
    for (int i = 0; i < one.size(); i++) {
      if (one.get(i) != null) {
        assertThat(three.get(i).pooled()).containsExactly(one.get(i).pooled());
        assertThat(three.get(i).tokens()).isEqualTo(one.get(i).tokens());
      }
    }
    assertThat(one.get(2)).isNull();
  }

  @Test
  void aGpuUsesItsOwnBatchSize() throws OrtException {
    FakeModel gpu = new FakeModel(Integer.MAX_VALUE); // its target is cuda:1
    EmbeddingSettings settings = new EmbeddingSettings(32, 2, 8, 64, Pooling.MEAN, false, false);
    new WindowEmbedder(tokenizer, gpu, settings).embed(inputs());
    assertThat(gpu.batchSizes).containsExactly(8);
    assertThat(settings.batchSizeOn(ExecutionTarget.CPU)).isEqualTo(2);
  }

  @Test
  void aSingleRowThatDoesNotFitFailsSayingWhatToDo() {
    assertThatThrownBy(() -> embed(new FakeModel(0), 4, EmbeddingListener.NONE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ran out of memory on cuda:1 for a single row of")
        .hasMessageContaining("Lower maxSeqLength");
  }

  @Test
  void otherFailuresAreNotSplitButTheBadRowIsNamed() {
    BatchRunner broken = new FakeModel(Integer.MAX_VALUE) {
      @Override
      public EncoderOutput run(TokenBatch batch) throws OrtException {
        throw new OrtException("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : bad input");
      }
    };
    EmbeddingSettings settings = new EmbeddingSettings(32, 4, 64, Pooling.MEAN, false, false);
    CountingListener listener = new CountingListener();
    // Shortest first: "hi" (row 1, 3 tokens) is the first row retried alone, and fails.
    assertThatThrownBy(() -> new WindowEmbedder(tokenizer, broken, settings, listener).embed(inputs()))
        .isInstanceOf(RowEmbeddingException.class)
        .hasMessage("Row 1 of the window cannot be embedded: the model failed on this row alone (3 tokens): "
            + "[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : bad input")
        .cause().isInstanceOf(OrtException.class);
    assertThat(listener.splits).as("not an out-of-memory split").isZero();
  }

  /** Fails (as ONNX Runtime would, or with any runtime exception) on every batch holding token {@code badId}. */
  private static final class FailsOnToken extends FakeModel {
    final long badId;
    final boolean runtimeException;

    FailsOnToken(long badId, boolean runtimeException) {
      super(Integer.MAX_VALUE);
      this.badId = badId;
      this.runtimeException = runtimeException;
    }

    @Override
    public EncoderOutput run(TokenBatch batch) throws OrtException {
      for (long id : batch.inputIds()) {
        if (id == badId) {
          if (runtimeException) {
            throw new IllegalStateException("NaN in the output");
          }
          throw new OrtException("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad token " + badId);
        }
      }
      return super.run(batch);
    }
  }

  private static final class RecordingFailures implements RowFailureHandler {
    final Map<Integer, String> reasons = new java.util.TreeMap<>();

    @Override
    public void rowFailed(int row, String reason, Throwable cause) {
      reasons.put(row, reason);
    }
  }

  @Test
  void aFailingBatchIsRetriedRowByRowAndOnlyTheBadRowFails() throws OrtException {
    long morning = tokenizer.encode("good morning", null).ids()[2];
    List<Embedding> expected = embed(new FakeModel(Integer.MAX_VALUE), 8, EmbeddingListener.NONE);
    FailsOnToken model = new FailsOnToken(morning, false);
    CountingListener listener = new CountingListener();
    RecordingFailures failures = new RecordingFailures();

    List<Embedding> got = new WindowEmbedder(tokenizer, model,
        new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, true), listener).embed(inputs(), failures);

    assertThat(failures.reasons).containsExactly(Map.entry(3, "the model failed on this row alone (4 tokens): "
        + "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad token " + morning));
    assertThat(got.get(3)).isNull();
    assertThat(got.get(2)).as("null text").isNull();
    for (int i = 0; i < got.size(); i++) {
      if (i != 2 && i != 3) {
        assertThat(got.get(i).pooled()).as("row %d", i).containsExactly(expected.get(i).pooled());
      }
    }
    assertThat(model.batchSizes).as("the batch of 8 failed, then 8 single rows, 7 of them fine")
        .containsExactly(1, 1, 1, 1, 1, 1, 1);
    assertThat(listener.splits).isZero();
    assertThat(listener.failed).isEqualTo(1);
    assertThat(listener.batches).isEqualTo(7);
    assertThat(listener.nulls).isEqualTo(1);
  }

  @Test
  void anyRuntimeExceptionOfTheModelIsIsolatedTheSameWay() throws OrtException {
    long hi = tokenizer.encode("hi", null).ids()[1];
    RecordingFailures failures = new RecordingFailures();
    List<Embedding> got = new WindowEmbedder(tokenizer, new FailsOnToken(hi, true),
        new EmbeddingSettings(32, 4, 64, Pooling.MEAN, false, false)).embed(inputs(), failures);
    assertThat(failures.reasons).containsExactly(
        Map.entry(1, "the model failed on this row alone (3 tokens): NaN in the output"));
    assertThat(got).filteredOn(java.util.Objects::nonNull).hasSize(7);
  }

  @Test
  void withoutAHandlerTheFirstBadRowFailsTheWindowWithItsIndex() {
    long morning = tokenizer.encode("good morning", null).ids()[2];
    assertThatThrownBy(() -> new WindowEmbedder(tokenizer, new FailsOnToken(morning, false),
        new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, false)).embed(inputs()))
        .isInstanceOf(RowEmbeddingException.class)
        .hasMessageStartingWith("Row 3 of the window cannot be embedded: the model failed on this row alone "
            + "(4 tokens): [ONNXRuntimeError]");
  }

  @Test
  void aClosedSessionFailsTheWindowWithoutBlamingAnyRow() {
    RecordingFailures failures = new RecordingFailures();
    FakeModel closed = new FakeModel(Integer.MAX_VALUE) {
      @Override
      public EncoderOutput run(TokenBatch batch) {
        batchSizes.add(batch.rows());
        throw new SessionClosedException("The ONNX Runtime session is closed: this executor JVM is shutting down");
      }
    };
    assertThatThrownBy(() -> new WindowEmbedder(tokenizer, closed,
        new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, false)).embed(inputs(), failures))
        .isInstanceOf(SessionClosedException.class);
    assertThat(failures.reasons).as("no row is reported bad").isEmpty();
    assertThat(closed.batchSizes).as("no row-by-row retry").hasSize(1);
  }

  @Test
  void outOfMemoryOnASingleRowStaysFatalEvenWithAHandler() {
    RecordingFailures failures = new RecordingFailures();
    assertThatThrownBy(() -> new WindowEmbedder(tokenizer, new FakeModel(0),
        new EmbeddingSettings(32, 4, 64, Pooling.MEAN, false, false)).embed(inputs(), failures))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ran out of memory on cuda:1 for a single row of");
    assertThat(failures.reasons).isEmpty();
  }

  /** A fake with hidden states: hidden state k of token t of a row is the vector (k, id, t). */
  private static final class LayeredModel extends FakeModel {
    final List<Set<Integer>> fetched = new ArrayList<>();

    LayeredModel() {
      super(Integer.MAX_VALUE);
    }

    @Override
    public EncoderOutput run(TokenBatch batch, Set<Integer> layers) throws OrtException {
      fetched.add(layers);
      EncoderOutput base = run(batch);
      Map<Integer, float[]> states = new HashMap<>();
      for (int layer : layers) {
        float[] values = new float[batch.rows() * batch.seqLen() * 2];
        for (int i = 0; i < batch.rows() * batch.seqLen(); i++) {
          values[2 * i] = layer * 100_000 + batch.inputIds()[i];
          values[2 * i + 1] = i % batch.seqLen();
        }
        states.put(layer, values);
      }
      return new EncoderOutput(base.rows(), base.seqLen(), base.hidden(), base.lastHiddenState(), null, states);
    }
  }

  @Test
  void requestedLayersComeBackInOrderTrimmedToEachRowsTokens() throws OrtException {
    LayeredModel model = new LayeredModel();
    EmbeddingSettings settings = new EmbeddingSettings(32, 4, 4, 64, Pooling.MEAN, false, true, List.of(3, 0, 3));
    List<Embedding> got = new WindowEmbedder(tokenizer, model, settings).embed(inputs());

    assertThat(model.fetched).as("each distinct layer fetched once per batch").allSatisfy(
        layers -> assertThat(layers).containsExactly(0, 3));
    assertThat(got.get(2)).as("null text").isNull();
    for (Embedding row : got) {
      if (row == null) {
        continue;
      }
      assertThat(row.layers()).hasNumberOfRows(3);
      int[] expectedLayers = {3, 0, 3};
      for (int k = 0; k < 3; k++) {
        assertThat(row.layers()[k]).hasDimensions(row.tokens(), 2);
        for (int t = 0; t < row.tokens(); t++) {
          assertThat(row.layers()[k][t]).containsExactly(
              expectedLayers[k] * 100_000 + row.sequence()[t][0], row.sequence()[t][1]);
        }
      }
    }
  }

  @Test
  void withoutEncoderOutputsNoLayersAreFetched() throws OrtException {
    LayeredModel model = new LayeredModel();
    List<Embedding> got = new WindowEmbedder(tokenizer, model,
        new EmbeddingSettings(32, 4, 64, Pooling.MEAN, false, false)).embed(inputs());
    assertThat(model.fetched).allSatisfy(layers -> assertThat(layers).isEmpty());
    assertThat(got.get(0).layers()).isNull();
  }

  @Test
  void negativeLayersMustBeResolvedFirst() {
    assertThatThrownBy(() -> new EmbeddingSettings(32, 4, 4, 64, Pooling.MEAN, false, false, List.of(-1)))
        .hasMessage("Resolve negative encoder layer -1 against the model first");
  }

  // ---- reuseDuplicates ----

  /**
   * Rows 0-10: "good morning" three times (0, 2, 10), "hi" twice (1, 6), the pair ("hi", "") twice (4, 7) and
   * ("hi", "there") twice (5, 9), nulls at 3 and 8. A null pair and an empty pair are different inputs.
   */
  private static List<TextInput> repeatedInputs() {
    return java.util.Arrays.asList(TextInput.of("good morning"), TextInput.of("hi"), TextInput.of("good morning"),
        TextInput.of(null), new TextInput("hi", ""), new TextInput("hi", "there"), TextInput.of("hi"),
        new TextInput("hi", ""), TextInput.ofPair("hi", null), new TextInput("hi", "there"),
        TextInput.of("good morning"));
  }

  private static final int[] FIRST_OCCURRENCE = {0, 1, 0, -1, 4, 5, 1, 4, -1, 5, 0};

  @Test
  void repeatedInputsRunOnceAndEachRowGetsItsOwnEqualCopy() throws OrtException {
    EmbeddingSettings settings = new EmbeddingSettings(32, 4, 4, 64, Pooling.MEAN, false, true, List.of(2, 0));
    LayeredModel reusing = new LayeredModel();
    CountingListener counted = new CountingListener();
    List<Embedding> got = new WindowEmbedder(tokenizer, reusing, settings, counted).embed(repeatedInputs());
    LayeredModel eachRow = new LayeredModel();
    CountingListener countedEach = new CountingListener();
    List<Embedding> expected = new WindowEmbedder(tokenizer, eachRow, settings.withReuseDuplicates(false),
        countedEach).embed(repeatedInputs());

    assertThat(settings.reuseDuplicates()).as("on by default").isTrue();
    assertThat(counted.rowsRun).as("4 distinct inputs").isEqualTo(4);
    assertThat(countedEach.rowsRun).isEqualTo(9);
    assertThat(counted.duplicates).isEqualTo(5);
    assertThat(countedEach.duplicates).isZero();
    assertThat(counted.nulls).isEqualTo(2);
    for (int i = 0; i < got.size(); i++) {
      if (FIRST_OCCURRENCE[i] < 0) {
        assertThat(got.get(i)).as("row %d is null", i).isNull();
        continue;
      }
      assertThat(got.get(i).pooled()).as("row %d", i).containsExactly(expected.get(i).pooled());
      assertThat(got.get(i).sequence()).as("row %d", i).isDeepEqualTo(expected.get(i).sequence());
      assertThat(got.get(i).layers()).as("row %d", i).isDeepEqualTo(expected.get(i).layers());
      assertThat(got.get(i).tokens()).isEqualTo(expected.get(i).tokens());
      Embedding first = got.get(FIRST_OCCURRENCE[i]);
      if (FIRST_OCCURRENCE[i] != i) { // a copy, not the first row's arrays: callers may modify theirs
        assertThat(got.get(i).pooled()).isNotSameAs(first.pooled());
        assertThat(got.get(i).sequence()[0]).isNotSameAs(first.sequence()[0]);
        assertThat(got.get(i).layers()[1][0]).isNotSameAs(first.layers()[1][0]);
      }
    }
    assertThat(got.get(4).pooled()).as("(hi, \"\") is not (hi, null)").isNotEqualTo(got.get(1).pooled());
    assertThat(got.get(4).tokens()).isEqualTo(got.get(1).tokens() + 1);
  }

  @Test
  void truncatedDuplicatesAreCountedAsTruncated() throws OrtException {
    String longText = "a long sentence about the weather in seoul today and tomorrow and the day after";
    CountingListener counted = new CountingListener();
    List<Embedding> got = new WindowEmbedder(TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 8),
        new FakeModel(Integer.MAX_VALUE), new EmbeddingSettings(8, 4, 64, Pooling.MEAN, false, false), counted)
        .embed(List.of(TextInput.of(longText), TextInput.of("hi"), TextInput.of(longText)));
    assertThat(got.get(2).truncated()).isTrue();
    assertThat(counted.duplicates).isEqualTo(1);
    assertThat(counted.truncatedDuplicates).isEqualTo(1);
  }

  @Test
  void aBadRowFailsWithEachOfItsRepeatsUnderTheirOwnIndex() throws OrtException {
    long morning = tokenizer.encode("good morning", null).ids()[2];
    RecordingFailures failures = new RecordingFailures();
    CountingListener counted = new CountingListener();
    FailsOnToken model = new FailsOnToken(morning, false);
    List<Embedding> got = new WindowEmbedder(tokenizer, model,
        new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, false), counted).embed(repeatedInputs(), failures);

    String reason = "the model failed on this row alone (4 tokens): [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : "
        + "bad token " + morning;
    assertThat(failures.reasons).containsExactly(Map.entry(0, reason), Map.entry(2, reason), Map.entry(10, reason));
    assertThat(got.get(0)).isNull();
    assertThat(got.get(2)).isNull();
    assertThat(got.get(10)).isNull();
    assertThat(got.get(6).pooled()).containsExactly(got.get(1).pooled());
    assertThat(counted.failed).isEqualTo(3);
    assertThat(counted.duplicates).as("the copies of hi, (hi, \"\") and (hi, there)").isEqualTo(3);
    assertThat(counted.nulls).isEqualTo(2);

    assertThatThrownBy(() -> new WindowEmbedder(tokenizer, new FailsOnToken(morning, false),
        new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, false)).embed(repeatedInputs()))
        .isInstanceOf(RowEmbeddingException.class)
        .hasMessageStartingWith("Row 0 of the window cannot be embedded: the model failed on this row alone");
  }

  @Test
  void tokenizedRowsWithIdenticalIdsRunOnce() throws OrtException {
    CountingListener counted = new CountingListener();
    FakeModel model = new FakeModel(Integer.MAX_VALUE);
    List<TokenizedText> rows = java.util.Arrays.asList(
        new TokenizedText(new long[] {101, 7, 102}, new long[] {0, 0, 0}, false),
        new TokenizedText(new long[] {101, 7, 102}, new long[] {0, 0, 0}, false), // equal arrays, other objects
        new TokenizedText(new long[] {101, 7, 102}, new long[] {0, 1, 1}, false), // other type ids
        null,
        new TokenizedText(new long[] {101, 7, 102, 0}, new long[] {0, 0, 0, 0}, false)); // one more id
    List<Embedding> got = new WindowEmbedder(model, new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, true),
        counted).embedTokenized(rows, new boolean[rows.size()], RowFailureHandler.FAIL);
    assertThat(model.batchSizes).containsExactly(3);
    assertThat(counted.duplicates).isEqualTo(1);
    assertThat(got.get(1).sequence()).isDeepEqualTo(got.get(0).sequence());
    assertThat(got.get(3)).isNull();

    FakeModel eachRow = new FakeModel(Integer.MAX_VALUE);
    new WindowEmbedder(eachRow, new EmbeddingSettings(32, 8, 64, Pooling.MEAN, false, true).withReuseDuplicates(false),
        EmbeddingListener.NONE).embedTokenized(rows, new boolean[rows.size()], RowFailureHandler.FAIL);
    assertThat(eachRow.batchSizes).containsExactly(4);
  }

  @Test
  void firstOccurrencesNeverMatchNulls() {
    assertThat(DuplicateRows.firstOccurrences(java.util.Arrays.asList("a", null, "b", "a", null, "b", "a")))
        .containsExactly(-1, -1, -1, 0, -1, 2, 0);
  }
}
