package org.kluespark.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.inference.BatchRunner;
import org.kluespark.inference.EncoderOutput;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.TokenBatch;
import org.kluespark.pooling.Pooling;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TextTokenizer;

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

    @Override
    public void nullRows(int rows) {
      nulls += rows;
    }

    @Override
    public void batchDone(int rows, long realTokens, long paddedTokens, int truncatedRows, long inferenceNanos) {
      batches++;
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
  void otherFailuresAreNotRetried() {
    BatchRunner broken = new FakeModel(Integer.MAX_VALUE) {
      @Override
      public EncoderOutput run(TokenBatch batch) throws OrtException {
        throw new OrtException("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : bad input");
      }
    };
    EmbeddingSettings settings = new EmbeddingSettings(32, 4, 64, Pooling.MEAN, false, false);
    assertThatThrownBy(() -> new WindowEmbedder(tokenizer, broken, settings).embed(inputs()))
        .isInstanceOf(OrtException.class).hasMessageContaining("INVALID_ARGUMENT");
  }
}
