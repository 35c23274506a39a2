package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.TorchFixtures;

/**
 * The committed PyTorch fixtures agree with themselves: config, vocab, safetensors header and the shapes of
 * PyTorch's recorded outputs. (Parity of converted graphs against those outputs is tested elsewhere.)
 */
class TorchFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 4;

  @Test
  void tinyBertConfigAndExpectedOutputsAgree() throws IOException {
    Path dir = TorchFixtures.dir(TorchFixtures.TINY_BERT);
    EncoderConfig config = config(dir);
    assertThat(config).isEqualTo(new EncoderConfig(EncoderFamily.BERT, 149, 32, 2, 4, 64, "gelu", 40, 2, 1e-12, 0));
    JsonNode expected = checkExpected(dir, config);
    assertThat(expected.get("token_type_ids").get(2)).as("row 2 is a sentence pair")
        .extracting(JsonNode::asInt).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0);
    for (JsonNode row : expected.get("position_ids")) {
      assertThat(ints(row)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }
  }

  @Test
  void tinyRobertaConfigAndExpectedOutputsAgree() throws IOException {
    Path dir = TorchFixtures.dir(TorchFixtures.TINY_ROBERTA);
    EncoderConfig config = config(dir);
    assertThat(config).isEqualTo(
        new EncoderConfig(EncoderFamily.ROBERTA, 149, 24, 3, 3, 48, "gelu", 42, 1, 1e-5, 1));
    assertThat(vocab(dir).subList(0, 5)).as("klue/roberta special token order")
        .containsExactly("[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]");
    JsonNode expected = checkExpected(dir, config);
    assertThat(expected.has("token_type_ids")).as("RoBERTa takes no token_type_ids").isFalse();
    for (int row = 0; row < ROWS; row++) {
      int real = sum(expected.get("attention_mask").get(row));
      List<Integer> positions = ints(expected.get("position_ids").get(row));
      for (int t = 0; t < positions.size(); t++) {
        assertThat(positions.get(t)).as("row %d position %d", row, t)
            .isEqualTo(t < real ? t + config.positionOffset() : config.padTokenId());
      }
    }
  }

  @Test
  void tinyElectraConfigAndExpectedOutputsAgree() throws IOException {
    Path dir = TorchFixtures.dir(TorchFixtures.TINY_ELECTRA);
    EncoderConfig config = config(dir);
    assertThat(config).isEqualTo(
        new EncoderConfig(EncoderFamily.ELECTRA, 149, 32, 2, 4, 64, "gelu", 40, 2, 1e-12, 0, 16));
    assertThat(config.hasEmbeddingProjection()).isTrue();
    assertThat(vocab(dir)).isEqualTo(vocab(TorchFixtures.dir(TorchFixtures.TINY_BERT)));
    JsonNode expected = checkExpected(dir, config);
    assertThat(expected.get("input_ids")).isEqualTo(
        JSON.readTree(TorchFixtures.dir(TorchFixtures.TINY_BERT).resolve("expected.json").toFile()).get("input_ids"));

    Map<String, String> header = safetensorsHeader(dir);
    assertThat(header).containsEntry("electra.embeddings.word_embeddings.weight", "F32[149, 16]")
        .containsEntry("electra.embeddings.LayerNorm.weight", "F32[16]")
        .containsEntry("electra.embeddings_project.weight", "F32[32, 16]")
        .containsEntry("electra.embeddings_project.bias", "F32[32]")
        .containsEntry("electra.encoder.layer.1.output.dense.weight", "F32[32, 64]")
        .containsEntry("discriminator_predictions.dense_prediction.weight", "F32[1, 32]")
        .doesNotContainKeys("electra.pooler.dense.weight")
        .hasSize(1 + 5 + 2 + 2 * 16 + 4);
  }

  @Test
  void safetensorsHeadersDescribeTheirBytesAndTheHfNames() throws IOException {
    Map<String, String> bert = safetensorsHeader(TorchFixtures.dir(TorchFixtures.TINY_BERT));
    assertThat(bert).containsEntry("embeddings.position_ids", "I64[1, 40]")
        .containsEntry("embeddings.word_embeddings.weight", "F32[149, 32]")
        .containsEntry("encoder.layer.1.attention.output.LayerNorm.weight", "F32[32]")
        .containsEntry("pooler.dense.weight", "F32[32, 32]")
        .hasSize(1 + 5 + 2 * 16 + 2);

    Map<String, String> roberta = safetensorsHeader(TorchFixtures.dir(TorchFixtures.TINY_ROBERTA));
    assertThat(roberta).containsEntry("roberta.embeddings.token_type_embeddings.weight", "F32[1, 24]")
        .containsEntry("roberta.embeddings.position_embeddings.weight", "F32[42, 24]")
        .containsEntry("roberta.encoder.layer.2.intermediate.dense.weight", "F32[48, 24]")
        .containsEntry("lm_head.bias", "F32[149]")
        .doesNotContainKeys("lm_head.decoder.weight", "embeddings.word_embeddings.weight");

    Map<String, String> legacy = safetensorsHeader(TorchFixtures.dir(TorchFixtures.TINY_BERT_LEGACY_NAMES));
    Map<String, String> renamed = new LinkedHashMap<>();
    bert.forEach((name, shape) -> {
      if (!name.equals("embeddings.position_ids")) {
        renamed.put("bert." + name.replace("LayerNorm.weight", "LayerNorm.gamma")
            .replace("LayerNorm.bias", "LayerNorm.beta"), shape);
      }
    });
    renamed.put("cls.predictions.bias", "F32[149]");
    renamed.put("cls.seq_relationship.weight", "F32[2, 32]");
    renamed.put("cls.seq_relationship.bias", "F32[2]");
    assertThat(legacy).isEqualTo(renamed);
    assertThat(config(TorchFixtures.dir(TorchFixtures.TINY_BERT_LEGACY_NAMES))).isEqualTo(
        config(TorchFixtures.dir(TorchFixtures.TINY_BERT)));
  }

  private static EncoderConfig config(Path dir) throws IOException {
    Path file = dir.resolve("config.json");
    EncoderConfig config = EncoderConfig.parse(Files.readString(file), file.toString());
    assertThat(vocab(dir)).as("vocab.txt lines").hasSize(config.vocabSize());
    return config;
  }

  private static List<String> vocab(Path dir) throws IOException {
    return Files.readAllLines(dir.resolve("vocab.txt"), StandardCharsets.UTF_8);
  }

  /** Inputs are a padded batch of ROWS rows; every output has the shape the config implies. */
  private static JsonNode checkExpected(Path dir, EncoderConfig config) throws IOException {
    JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
    JsonNode ids = expected.get("input_ids");
    int seq = ids.get(0).size();
    assertThat(seq).isLessThanOrEqualTo(config.maxSequenceLength());
    checkShape(ids, ROWS, seq);
    checkShape(expected.get("attention_mask"), ROWS, seq);
    checkShape(expected.get("position_ids"), ROWS, seq);
    List<String> vocab = vocab(dir);
    for (int row = 0; row < ROWS; row++) {
      int real = sum(expected.get("attention_mask").get(row));
      assertThat(vocab.get(ids.get(row).get(0).asInt())).isEqualTo("[CLS]");
      assertThat(vocab.get(ids.get(row).get(real - 1).asInt())).isEqualTo("[SEP]");
      for (int t = 0; t < seq; t++) {
        String token = expected.get("tokens").get(row).get(t).asText();
        assertThat(vocab.get(ids.get(row).get(t).asInt())).isEqualTo(token);
        assertThat(token.equals("[PAD]")).isEqualTo(t >= real);
      }
    }
    assertThat(sum(expected.get("attention_mask").get(0))).as("row 0 is unpadded").isEqualTo(seq);
    if (config.hasTokenTypeInput()) {
      checkShape(expected.get("token_type_ids"), ROWS, seq);
    }
    checkShape(expected.get("last_hidden_state"), ROWS, seq, config.hiddenSize());
    if (config.family() == EncoderFamily.ELECTRA) {
      assertThat(expected.has("pooler_output")).as("ELECTRA has no pooler").isFalse();
    } else {
      checkShape(expected.get("pooler_output"), ROWS, config.hiddenSize());
    }
    JsonNode states = expected.get("hidden_states");
    assertThat(states.size()).isEqualTo(config.numLayers() + 1);
    states.forEach(state -> checkShape(state, ROWS, seq, config.hiddenSize()));
    assertThat(states.get(config.numLayers())).isEqualTo(expected.get("last_hidden_state"));
    return expected;
  }

  private static void checkShape(JsonNode node, int... shape) {
    assertThat(node.isArray()).isTrue();
    assertThat(node.size()).isEqualTo(shape[0]);
    for (JsonNode child : node) {
      if (shape.length == 1) {
        assertThat(child.isNumber()).as("leaf %s", child).isTrue();
      } else {
        checkShape(child, Arrays.copyOfRange(shape, 1, shape.length));
      }
    }
  }

  private static List<Integer> ints(JsonNode row) {
    List<Integer> out = new ArrayList<>();
    row.forEach(v -> out.add(v.asInt()));
    return out;
  }

  private static int sum(JsonNode row) {
    return ints(row).stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * name → "DTYPE[shape]" from model.safetensors, checking that the tensors tile the data section exactly
   * and each one's byte length matches its shape.
   */
  private static Map<String, String> safetensorsHeader(Path dir) throws IOException {
    byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat((8 + headerLength) % 8).as("header padded to 8 bytes").isZero();
    JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
    assertThat(header.get("__metadata__").get("format").asText()).isEqualTo("pt");
    Map<String, String> tensors = new LinkedHashMap<>();
    long end = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (entry.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode info = entry.getValue();
      String dtype = info.get("dtype").asText();
      List<Integer> shape = ints(info.get("shape"));
      long elements = shape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
      long begin = info.get("data_offsets").get(0).asLong();
      long stop = info.get("data_offsets").get(1).asLong();
      assertThat(begin).as(entry.getKey()).isEqualTo(end);
      assertThat(stop - begin).as(entry.getKey()).isEqualTo(elements * (dtype.equals("I64") ? 8 : 4));
      end = stop;
      tensors.put(entry.getKey(), dtype + shape);
    }
    assertThat(8 + headerLength + end).as("data section ends at end of file").isEqualTo(file.length);
    return tensors;
  }
}
