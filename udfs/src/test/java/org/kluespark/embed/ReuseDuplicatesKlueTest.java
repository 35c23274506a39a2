package org.kluespark.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.OrtSessionFactory;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.ModelSignature;
import org.kluespark.pooling.Pooling;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TextTokenizer;

/**
 * reuseDuplicates on real text with the real model: the first KLUE NLI dev records (every premise three times)
 * and STS dev pairs, through MiniLM on ONNX Runtime's CPU provider. A repeat served by a copy has the vectors
 * that running it would give, to the bit, although the batches the model sees differ (fewer rows, other
 * padded lengths). Skipped when {@code ../shared/klue} is absent.
 */
class ReuseDuplicatesKlueTest {
  private static final int NLI_RECORDS = 300;
  private static final int STS_RECORDS = 100;

  @Test
  void copiesAreBitIdenticalToRunningEveryRowOnKlueDevText() throws Exception {
    Path klue = TestModels.sharedKlue();
    Path nli = klue.resolve("klue-nli-v1.1_dev.json");
    Path sts = klue.resolve("klue-sts-v1.1_dev.json");
    assumeTrue(Files.isRegularFile(nli) && Files.isRegularFile(sts), "skipped: the KLUE dev sets are absent from "
        + klue);
    List<TextInput> inputs = new ArrayList<>();
    addFields(nli, NLI_RECORDS, inputs, "premise", "hypothesis");
    addFields(sts, STS_RECORDS, inputs, "sentence1", "sentence2");
    int distinct = new LinkedHashSet<>(inputs).size();

    ModelSignature signature = ModelInspector.inspect(TestModels.minilm(), 128);
    EmbeddingSettings settings = new EmbeddingSettings(128, 32, 1024, Pooling.MEAN, false, true);
    try (EncoderSession session = new EncoderSession(
            OrtSessionFactory.create(TestModels.minilm().modelBytes(), ExecutionTarget.CPU, 1), signature,
            ExecutionTarget.CPU);
        TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 128)) {
      Counting reused = new Counting();
      List<Embedding> got = new WindowEmbedder(tokenizer, session, settings, reused).embed(inputs);
      Counting eachRow = new Counting();
      List<Embedding> expected = new WindowEmbedder(tokenizer, session, settings.withReuseDuplicates(false), eachRow)
          .embed(inputs);

      // Texts that differ only where the uncased tokenizer does not look (case, spacing) share their ids, so
      // they run once too: at most one run per distinct text.
      assertThat(reused.rowsRun).isLessThanOrEqualTo(distinct).isGreaterThan(distinct - 10);
      assertThat(reused.duplicates).isEqualTo(inputs.size() - reused.rowsRun).isGreaterThan(NLI_RECORDS / 2);
      assertThat(eachRow.rowsRun).isEqualTo(inputs.size());
      for (int i = 0; i < inputs.size(); i++) {
        assertThat(bits(got.get(i).pooled())).as("pooled, row %d", i).isEqualTo(bits(expected.get(i).pooled()));
        for (int t = 0; t < got.get(i).tokens(); t++) {
          assertThat(bits(got.get(i).sequence()[t])).as("token %d of row %d", t, i)
              .isEqualTo(bits(expected.get(i).sequence()[t]));
        }
      }
    }
  }

  private static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  private static void addFields(Path file, int records, List<TextInput> out, String... fields) throws IOException {
    JsonNode array = new ObjectMapper().readTree(file.toFile());
    for (int r = 0; r < Math.min(records, array.size()); r++) {
      for (String field : fields) {
        out.add(TextInput.of(array.get(r).get(field).asText()));
      }
    }
  }

  private static final class Counting implements EmbeddingListener {
    int rowsRun;
    int duplicates;

    @Override
    public void nullRows(int rows) {}

    @Override
    public void batchDone(int rows, long realTokens, long paddedTokens, int truncatedRows, long inferenceNanos) {
      rowsRun += rows;
    }

    @Override
    public void batchSplit() {}

    @Override
    public void duplicateRows(int rows, int truncatedRows) {
      duplicates += rows;
    }
  }
}
