package org.kluespark.tokenize.wordpiece;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TestModels;

/**
 * The tokenizer.json built from MiniLM's vocab.txt must encode exactly as MiniLM's own tokenizer.json (which HF
 * produced with BertTokenizerFast): same ids and type ids for every line, sentence and pair of the samples.
 */
class WordPieceTokenizerJsonEquivalenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NO_PADDING_OR_TRUNCATION =
      Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false");

  private static ObjectNode reference;
  private static List<String> vocab;

  @BeforeAll
  static void readMiniLm() throws IOException {
    reference = (ObjectNode) JSON.readTree(TestModels.minilmDir().resolve("tokenizer.json").toFile());
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    reference.path("model").path("vocab").fields().forEachRemaining(entries::add);
    entries.sort(Comparator.comparingInt(entry -> entry.getValue().intValue()));
    vocab = entries.stream().map(Map.Entry::getKey).toList();
    assertThat(vocab).hasSize(30522);
    assertThat(entries.get(30521).getValue().intValue()).isEqualTo(30521); // ids 0..n-1, no holes
  }

  @Test
  void uncasedJsonIsMiniLmsApartFromItsPaddingAndTruncation(@TempDir Path dir) throws IOException {
    String built = buildFromCheckpoint(dir, "{\"do_lower_case\": true}");
    ObjectNode expected = reference.deepCopy();
    expected.putNull("truncation"); // MiniLM's file was saved with a 128-token setup; a conversion sets none
    expected.putNull("padding");
    assertThat(JSON.readTree(built)).isEqualTo(expected);
  }

  @Test
  void uncasedEncodesAsMiniLm(@TempDir Path dir) throws IOException {
    String built = buildFromCheckpoint(dir, "{\"do_lower_case\": true}");
    compareOnSamples(reference.toString(), built, "uncased");
  }

  @Test
  void casedEncodesAsMiniLmWithLowercaseOff(@TempDir Path dir) throws IOException {
    String built = buildFromCheckpoint(dir, "{\"do_lower_case\": false}");
    ObjectNode cased = reference.deepCopy();
    ((ObjectNode) cased.get("normalizer")).put("lowercase", false).putNull("strip_accents");
    assertThat(JSON.readTree(built).get("normalizer")).isEqualTo(cased.get("normalizer"));
    compareOnSamples(cased.toString(), built, "cased");
  }

  @Test
  void encodesKlueDevSetsAsMiniLm(@TempDir Path dir) throws IOException {
    Path klue = TestModels.sharedKlue();
    Assumptions.assumeTrue(Files.isRegularFile(klue.resolve("klue-sts-v1.1_dev.json")),
        "This test needs the KLUE dev sets in ../shared/klue (" + klue + "); see datasets/README.md");
    KoreanTexts texts = KoreanTexts.klueDevSets(klue);
    for (boolean lowercase : new boolean[] {true, false}) {
      Path checkpoint = Files.createDirectories(dir.resolve("lowercase-" + lowercase));
      String built = buildFromCheckpoint(checkpoint, "{\"do_lower_case\": " + lowercase + "}");
      ObjectNode expected = reference.deepCopy();
      ((ObjectNode) expected.get("normalizer")).put("lowercase", lowercase).putNull("strip_accents");
      int[] counts = compare(expected.toString(), built, texts);
      System.out.printf("KLUE dev sets, lowercase=%s: %d sentences and %d pairs encode identically%n",
          lowercase, counts[0], counts[1]);
      assertThat(counts[0]).isEqualTo(texts.singles().size());
      assertThat(counts[1]).isEqualTo(texts.pairs().size());
      assertThat(counts[1]).isEqualTo(519 + 3000);
    }
  }

  private static String buildFromCheckpoint(Path dir, String tokenizerConfig) throws IOException {
    VocabFile.write(vocab, dir.resolve("vocab.txt"));
    Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig);
    return WordPieceTokenizerJson.fromCheckpoint(dir);
  }

  private static void compareOnSamples(String expectedJson, String builtJson, String label) throws IOException {
    KoreanTexts texts = KoreanTexts.datasets();
    int[] counts = compare(expectedJson, builtJson, texts);
    System.out.printf("datasets/, %s: %d texts and %d pairs encode identically%n", label, counts[0], counts[1]);
    assertThat(counts[0]).isEqualTo(texts.singles().size()).isGreaterThan(1500);
    assertThat(counts[1]).isEqualTo(texts.pairs().size()).isEqualTo(4 * 30);
    // MiniLM's file asks for truncation at 128: a longer encoding proves both ran untruncated.
    assertThat(counts[2]).isGreaterThan(128);
  }

  /** Encodes every single text and pair with both tokenizers; returns {singles, pairs} matched, longest encoding. */
  private static int[] compare(String expectedJson, String builtJson, KoreanTexts texts) throws IOException {
    List<String> mismatches = new ArrayList<>();
    int[] matched = new int[2];
    int longest = 0;
    try (HuggingFaceTokenizer expected = load(expectedJson); HuggingFaceTokenizer built = load(builtJson)) {
      for (String text : texts.singles()) {
        Encoding encoding = expected.encode(text);
        longest = Math.max(longest, encoding.getIds().length);
        if (same(encoding, built.encode(text), text, mismatches)) {
          matched[0]++;
        }
      }
      for (String[] pair : texts.pairs()) {
        if (same(expected.encode(pair[0], pair[1]), built.encode(pair[0], pair[1]), String.join(" || ", pair),
            mismatches)) {
          matched[1]++;
        }
      }
    }
    assertThat(mismatches).isEmpty();
    return new int[] {matched[0], matched[1], longest};
  }

  private static boolean same(Encoding expected, Encoding actual, String text, List<String> mismatches) {
    if (Arrays.equals(expected.getIds(), actual.getIds())
        && Arrays.equals(expected.getTypeIds(), actual.getTypeIds())) {
      return true;
    }
    mismatches.add(text + ": expected " + Arrays.toString(expected.getIds()) + " got "
        + Arrays.toString(actual.getIds()));
    return false;
  }

  private static HuggingFaceTokenizer load(String json) throws IOException {
    return HuggingFaceTokenizer.newInstance(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), NO_PADDING_OR_TRUNCATION);
  }
}
